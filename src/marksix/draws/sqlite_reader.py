"""Reading the draw tables of a SQLite file with the standard library.

This is the read path of every command on a used data folder (`marksix
pick`, `check`, every bot reply): importing SQLAlchemy costs more than the
rest of the command, so a plain SQLite file is read here instead. Writing,
migrations and other databases go through `store/`. The values come back
exactly as SQLAlchemy gives them (tests/test_archive.py compares the two).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from marksix.domain.calendar import NextDraw
from marksix.domain.draws import Draw

if TYPE_CHECKING:
    import sqlite3
    from decimal import Decimal

    from marksix.domain.prizes import DrawPrizes

T = TypeVar("T")

# sqlite3, decimal and the prize type are imported where used: on an empty data
# folder `marksix pick` reads nothing and should not pay for them.

#: What changes whenever draws or prize figures are written.
FINGERPRINT = (
    "SELECT (SELECT count(*) FROM draws), (SELECT max(added_at) FROM draws),"
    " (SELECT count(*) FROM draw_prizes), (SELECT max(fetched_at) FROM draw_prizes)"
)


@dataclass(frozen=True, slots=True)
class Stored:
    """The draws and prize figures in the database, and their fingerprint."""

    fingerprint: tuple[object, ...]
    draws: list[Draw]
    prizes: dict[str, DrawPrizes]


EMPTY = Stored((), [], {})


def connect(path: Path) -> sqlite3.Connection:
    import sqlite3

    # mode=rw: reading never creates a database file. No thread check: a held
    # file (below) is shared by the worker's threads, one at a time under the
    # archive's lock.
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5.0, check_same_thread=False)


def has_tables(connection: sqlite3.Connection) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'draws'"
    return bool(connection.execute(query).fetchall())


def read(path: Path, known: tuple[object, ...] | None) -> Stored | None:
    """Everything stored, or None when the fingerprint is still `known`.
    A file without the draw tables reads as empty; sqlite3.Error propagates."""
    with closing(connect(path)) as connection:
        return _stored(connection, known) if has_tables(connection) else EMPTY


def announced_after(path: Path, now: dt.datetime) -> NextDraw | None:
    """The earliest announced draw whose sales are still open at `now` (aware)."""
    with closing(connect(path)) as connection:
        return _announced(connection, now) if has_tables(connection) else None


class Unreadable(Exception):
    """The file is not one this reader understands (an older or odd file): the store reports it."""


class HeldFile:
    """One read connection to the database file, held for the archive's life.

    It is opened once the file exists with the draw tables (until then every
    read is empty and costs a stat); after that a read is one fingerprint
    query, tens of microseconds, and the tables are read again only when it
    moves. Every query is read to its end, so no read transaction stays open
    to hold up writers or WAL checkpoints.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is None and self.path.exists():
            connection = connect(self.path)
            try:
                ready = has_tables(connection)
            except BaseException:
                connection.close()
                raise
            if not ready:
                connection.close()
                return None
            self._connection = connection
        return self._connection

    def read(self, known: tuple[object, ...] | None) -> Stored | None:
        """As `read`, but an unreadable file raises `Unreadable` (and the connection is closed)."""
        missing: Stored | None = EMPTY
        return self._use(lambda connection: _stored(connection, known), missing)

    def announced_after(self, now: dt.datetime) -> NextDraw | None:
        return self._use(lambda connection: _announced(connection, now), None)

    def _use(self, query: Callable[[sqlite3.Connection], T], missing: T) -> T:
        if self._connection is None and not self.path.exists():
            return missing
        import sqlite3

        try:
            connection = self._open()
            return missing if connection is None else query(connection)
        except sqlite3.Error as error:
            self.close()
            raise Unreadable(f"{self.path}: {error}") from error

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _stored(connection: sqlite3.Connection, known: tuple[object, ...] | None) -> Stored | None:
    [fingerprint] = connection.execute(FINGERPRINT).fetchall()
    if tuple(fingerprint) == known:
        return None
    return Stored(tuple(fingerprint), _draws(connection), _prizes(connection))


def _draws(connection: sqlite3.Connection) -> list[Draw]:
    rows = connection.execute(
        "SELECT draw_id, draw_date, n1, n2, n3, n4, n5, n6, extra FROM draws ORDER BY draw_date, draw_id"
    )
    return [
        Draw(draw_id, dt.date.fromisoformat(date), (n1, n2, n3, n4, n5, n6), extra)
        for draw_id, date, n1, n2, n3, n4, n5, n6, extra in rows
    ]


def _units(value: float | int | str) -> Decimal:
    from decimal import Decimal

    # SQLAlchemy reads Numeric(20, 4) from SQLite as a float rounded to 4 places.
    if isinstance(value, float):
        return Decimal(f"{value:.4f}").normalize()
    return Decimal(value).normalize()


def _prizes(connection: sqlite3.Connection) -> dict[str, DrawPrizes]:
    from marksix.domain.prizes import DrawPrizes

    dividends: dict[str, dict[int, int]] = {}
    units: dict[str, dict[int, Decimal]] = {}
    for draw_id, tier, dividend, winning_units in connection.execute(
        "SELECT draw_id, tier, dividend, winning_units FROM draw_prize_tiers"
    ):
        if dividend is not None:
            dividends.setdefault(draw_id, {})[tier] = int(dividend)
        if winning_units is not None:
            units.setdefault(draw_id, {})[tier] = _units(winning_units)
    pools = connection.execute(
        "SELECT draw_id, draw_date, turnover, jackpot, first_prize_fund, snowball_code, snowball_name"
        " FROM draw_prizes"
    )
    return {
        draw_id: DrawPrizes(
            draw_id=draw_id,
            date=dt.date.fromisoformat(date),
            turnover=turnover,
            jackpot=jackpot,
            first_prize_fund=first_prize_fund,
            snowball_code=snowball_code,
            snowball_name=snowball_name,
            dividends=dividends.get(draw_id, {}),
            winning_units=units.get(draw_id, {}),
        )
        for draw_id, date, turnover, jackpot, first_prize_fund, snowball_code, snowball_name in pools
    }


def _announced(connection: sqlite3.Connection, now: dt.datetime) -> NextDraw | None:
    # Stored as SQLAlchemy stores a UTC DateTime in SQLite, which sorts as text.
    moment = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    rows = connection.execute(
        "SELECT draw_id, draw_date, jackpot, snowball_name, estimated_prize FROM announced_draws"
        " WHERE close_at > ? ORDER BY close_at LIMIT 1",
        (moment,),
    ).fetchall()
    if not rows:
        return None
    draw_id, date, jackpot, snowball_name, estimated_prize = rows[0]
    return NextDraw(
        date=dt.date.fromisoformat(date),
        draw_id=draw_id,
        jackpot=jackpot,
        snowball_name=snowball_name,
        estimated_first_prize=estimated_prize,
        announced=True,
    )
