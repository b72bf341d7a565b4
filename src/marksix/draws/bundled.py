"""The official history that ships inside the package (see data/PROVENANCE.md).

Reading package files is the only I/O here; parsing is cached per process
because the bundled files never change while it runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from marksix.domain.draws import Draw, DrawHistory

if TYPE_CHECKING:
    from marksix.domain.prizes import DrawPrizes

#: The pool before 6/49: 45 numbers until 1996/046, then 47 (PROVENANCE.md).
LEGACY_POOL = 47


def _read(name: str) -> str:
    # A plain file next to this module in every normal install; importing
    # importlib.resources costs ~10 ms of start-up, so it is the fallback
    # for zipped installs only.
    local = Path(__file__).parents[1] / "data" / name
    if local.is_file():
        return local.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files("marksix.data").joinpath(name).read_text(encoding="utf-8")


def _draws_from_csv(text: str) -> list[Draw]:
    # The bundled rows are checked once by the test suite (tests/test_bundled_data.py),
    # so loading skips per-row validation: it is on every command's start-up.
    # The fields are plain (no quoting), so str.split is safe and faster than csv.
    parse_date = dt.date.fromisoformat
    draws = []
    for line in text.splitlines()[1:]:
        draw_id, date, *numbers, extra = line.split(",")
        n1, n2, n3, n4, n5, n6 = sorted(map(int, numbers))
        draws.append(Draw(draw_id, parse_date(date), (n1, n2, n3, n4, n5, n6), int(extra)))
    return draws


@cache
def bundled_history() -> DrawHistory:
    """Every official 6/49 draw, 2002-07-04 onwards, as shipped."""
    return DrawHistory(_draws_from_csv(_read("draws.csv")))


@cache
def legacy_history() -> DrawHistory:
    """The 1993-2002 draws from a 45- or 47-number pool. Never pool these
    with 6/49 draws: their frequencies come from a different game."""
    return DrawHistory(_draws_from_csv(_read("draws_1993_2002.csv")), LEGACY_POOL)


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


@cache
def bundled_prizes() -> dict[str, DrawPrizes]:
    """HKJC's prize figures per draw id, 1993 onwards, where published."""
    # Imported here: `marksix pick` needs the draws, not decimal and the prize type.
    from decimal import Decimal

    from marksix.domain.prizes import DrawPrizes

    table: dict[str, DrawPrizes] = {}
    for row in csv.DictReader(io.StringIO(_read("prizes.csv"))):
        table[row["draw_id"]] = DrawPrizes(
            draw_id=row["draw_id"],
            date=dt.date.fromisoformat(row["date"]),
            turnover=_int_or_none(row["turnover"]),
            jackpot=_int_or_none(row["jackpot"]),
            first_prize_fund=_int_or_none(row["first_prize_fund"]),
            snowball_code=row["snowball_code"] or None,
            snowball_name=row["snowball_name"] or None,
            dividends={tier: int(row[f"p{tier}"]) for tier in range(1, 8) if row[f"p{tier}"]},
            winning_units={tier: Decimal(row[f"p{tier}u"]) for tier in range(1, 8) if row[f"p{tier}u"]},
        )
    return table
