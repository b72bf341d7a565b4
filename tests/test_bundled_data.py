"""The shipped history is loaded without per-row checks (start-up speed), so it
is checked here, row by row, against the rules of a draw and its provenance."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest

from marksix.domain.draws import draw_problems
from marksix.draws.bundled import bundled_history, bundled_prizes, legacy_history


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("marksix.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize(("name", "pool"), [("draws.csv", 49), ("draws_1993_2002.csv", 47)])
def test_every_bundled_row_is_a_valid_draw(name: str, pool: int) -> None:
    bad = {}
    for line, row in enumerate(_rows(name), start=2):
        numbers = [row[f"n{position}"] for position in range(1, 7)]
        problems = draw_problems(row["draw_id"], row["date"], numbers, row["extra"], pool)
        if problems:
            bad[line] = problems
    assert bad == {}


def test_the_fast_loader_gives_exactly_the_rows_of_the_file() -> None:
    rows = _rows("draws.csv")
    history = bundled_history()
    assert len(history) == len(rows) == 3_369
    for row, draw in zip(rows, history, strict=True):
        assert draw.draw_id == row["draw_id"]
        assert draw.date == dt.date.fromisoformat(row["date"])
        assert list(draw.numbers) == sorted(int(row[f"n{position}"]) for position in range(1, 7))
        assert draw.extra == int(row["extra"])


def test_the_eras_stay_apart() -> None:
    modern, legacy = bundled_history(), legacy_history()
    assert modern[0].draw_id == "02/053" and modern[0].date == dt.date(2002, 7, 4)
    assert modern.latest.draw_id == "26/092"
    assert legacy.latest.date < modern[0].date
    assert int(legacy.main.max()) == 47
    assert not set(modern.draws) & set(legacy.draws)
    ids = [draw.draw_id for draw in modern]
    assert len(ids) == len(set(ids))


def test_prize_table_matches_the_press_report_of_12_110() -> None:
    prizes = bundled_prizes()["12/110"]
    assert prizes.turnover == 285_575_400
    assert prizes.dividends == {1: 49_591_870, 2: 1_177_230, 3: 71_480, 4: 9_600, 5: 640, 6: 320, 7: 40}
    assert str(prizes.winning_units[1]) == "2.5"


def test_fixed_dividends_in_the_data_agree_with_the_rules_of_each_era() -> None:
    from marksix.domain.rules import fixed_prizes

    checked = 0
    for prizes in bundled_prizes().values():
        if prizes.date < dt.date(2002, 7, 4):
            continue
        for tier, amount in fixed_prizes(prizes.date).items():
            if tier in prizes.dividends and prizes.winning_units.get(tier):
                assert prizes.dividends[tier] == amount, (prizes.draw_id, tier)
                checked += 1
    assert checked > 12_000
