"""The draw history a user sees: the bundled draws plus those imported or
fetched into the database under the data folder, behind one `DrawArchive`.

Reading is the hot path (`marksix pick`, `marksix check`, every bot reply):
a plain SQLite file is read with the standard library (draws/sqlite_reader.py)
through one connection the archive holds, and nothing here imports SQLAlchemy;
other databases go through the one engine the archive holds. What was read is
kept until the stored draws or prize figures change, which one cheap query on
the held connection tells, so a reply pays tens of microseconds for seeing a
draw another process has just added, and no cache is needed. Writing (`import_file`,
`update`) checks everything first and then writes in one transaction, so a
bad file or a dropped connection leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from marksix.domain.calendar import HONG_KONG, NextDraw, next_scheduled_draw
from marksix.domain.draws import Draw, DrawHistory
from marksix.draws import sqlite_reader
from marksix.draws.bundled import bundled_history, bundled_prizes, legacy_history
from marksix.errors import DataError, DrawConflict, ImportRejected, RowProblem
from marksix.paths import Locator

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from marksix.domain.prizes import DrawPrizes
    from marksix.draws.hkjc import HkjcClient
    from marksix.store.draw_archive import DrawRepository

#: Draws of the last year whose dividends are missing are fetched again by
#: `update`: HKJC publishes the figures a little after the numbers, and the
#: bundled prize data stops before the bundled draws do.
REFETCH_WINDOW = dt.timedelta(days=366)

_EMPTY = sqlite_reader.EMPTY


class _View:
    """One reading of the database, merged with the bundled data on first use:
    `pick` needs the history only, and parsing the prize file costs as much."""

    def __init__(self, stored: sqlite_reader.Stored) -> None:
        self.stored = stored
        self._history: DrawHistory | None = None
        self._prizes: dict[str, DrawPrizes] | None = None

    @property
    def history(self) -> DrawHistory:
        if self._history is None:
            draws = self.stored.draws
            self._history = bundled_history().merged(draws) if draws else bundled_history()
        return self._history

    @property
    def prizes(self) -> dict[str, DrawPrizes]:
        if self._prizes is None:
            stored = self.stored.prizes
            self._prizes = {**bundled_prizes(), **stored} if stored else bundled_prizes()
        return self._prizes


@dataclass(frozen=True, slots=True)
class Reading:
    history: DrawHistory
    prizes: dict[str, DrawPrizes]
    next_draw: NextDraw


class DrawArchive:
    """The history, the prize figures and the next draw, for one data folder.

    Hold one for as long as the process runs (the worker and the dashboard
    do); `close()` closes its SQLite connection and disposes of the engine,
    whichever was needed.
    """

    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self._engine: Engine | None = None
        path = locator.sqlite_file
        self._file = sqlite_reader.HeldFile(path) if path is not None else None
        if self._file is not None:
            # An archive nobody closed (a one-shot command) still closes its connection.
            weakref.finalize(self, self._file.close)
        self._migrated = False
        self._view: _View | None = None
        # Guards the view and the held connection, which the worker's threads share.
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------

    def history(self) -> DrawHistory:
        """Bundled 6/49 draws, merged with the database's."""
        view = self._current()
        with self._lock:
            return view.history

    def prizes(self) -> dict[str, DrawPrizes]:
        """Published prize figures per draw id: bundled, then fetched or imported ones on top."""
        view = self._current()
        with self._lock:
            return view.prizes

    def next_draw(self, now: dt.datetime) -> NextDraw:
        """HKJC's announced next draw when `update` fetched one whose sales are
        still open at `now` (aware); otherwise the regular schedule."""
        with self._lock:
            announced = self._announced_after(now)
        return announced if announced is not None else next_scheduled_draw(now)

    def reading(self, now: dt.datetime) -> Reading:
        """The history, the prize figures and the next draw at `now`, all of one
        reading: what every bot reply needs, for one check of the database."""
        view = self._current()
        with self._lock:
            history, prizes = view.history, view.prizes
            announced = self._announced_after(now)
        return Reading(history, prizes, announced if announced is not None else next_scheduled_draw(now))

    def _current(self) -> _View:
        with self._lock:
            known = self._view
            stored = self._read(known.stored.fingerprint if known else None)
            if stored is None and known is not None:
                return known
            self._view = _View(stored or _EMPTY)
            return self._view

    def _read(self, known: tuple[object, ...] | None) -> sqlite_reader.Stored | None:
        if self._file is not None:
            try:
                return self._file.read(known)
            except sqlite_reader.Unreadable:
                pass  # an older or odd file: the store reports it properly
        if not self._database_exists():
            return _EMPTY
        repository = self._repository()
        if not repository.exists():
            return _EMPTY
        fingerprint = repository.fingerprint()
        if fingerprint == known:
            return None
        return sqlite_reader.Stored(fingerprint, repository.draws(), repository.prizes())

    def _announced_after(self, now: dt.datetime) -> NextDraw | None:
        if self._file is not None:
            try:
                return self._file.announced_after(now)
            except sqlite_reader.Unreadable:
                pass
        if not self._database_exists():
            return None
        repository = self._repository()
        return repository.announced_after(now) if repository.exists() else None

    def _database_exists(self) -> bool:
        """Whether there is a database to read; reading never creates one."""
        path = self.locator.sqlite_file
        if path is not None:
            return path.exists()
        url = self.locator.database_url
        if url.startswith("sqlite"):
            from sqlalchemy.engine import make_url

            database = make_url(url).database
            if database and database != ":memory:" and not Path(database).expanduser().exists():
                return False
        return True

    def _repository(self) -> DrawRepository:
        from marksix.store.draw_archive import DrawRepository
        from marksix.store.engine import make_engine

        if self._engine is None:
            self._engine = make_engine(self.locator.database_url)
        return DrawRepository(self._engine)

    # -- writing ---------------------------------------------------------

    def save(
        self,
        *,
        new_draws: Sequence[Draw],
        prizes: Sequence[DrawPrizes],
        announcements: Sequence[NextDraw],
        source: str,
        now: dt.datetime,
    ) -> None:
        """Migrate the database if needed, write in one transaction, and read afresh next time."""
        from marksix.store.engine import upgrade

        repository = self._repository()
        if not self._migrated:
            upgrade(repository.engine)
            self._migrated = True
        try:
            repository.save(
                new_draws=new_draws, prizes=prizes, announcements=announcements, source=source, now=now
            )
        finally:
            with self._lock:
                self._view = None

    def import_file(self, path: Path, *, now: dt.datetime | None = None) -> ArchiveChange:
        """Import a CSV or HKJC JSON file of draws: every row is checked first; a
        bad row (ImportRejected) or a conflicting draw (DrawConflict) imports nothing."""
        return _import_file(self, path, now=now)

    def update(
        self,
        client: HkjcClient,
        *,
        since: dt.date | None = None,
        now: dt.datetime | None = None,
        progress: Callable[[str], None] = lambda _message: None,
    ) -> ArchiveChange:
        """Fetch new results, their prize figures and the next draw from HKJC,
        one quarter per request, then write them all in one transaction."""
        return _update(self, client, since=since, now=now, progress=progress)

    def close(self) -> None:
        if self._file is not None:
            with self._lock:
                self._file.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> DrawArchive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def open_archive(home: Path | None, database_url: str | None = None) -> DrawArchive | None:
    """The archive for a data folder and/or database URL; None when neither is
    given (then only the bundled data counts)."""
    if home is None and not (database_url and database_url.strip()):
        return None
    return DrawArchive(Locator.resolve(home, database_url))


# One-shot conveniences (the public `marksix.load_history`, scripts): each
# opens an archive, reads once and closes it. Long-lived code holds a DrawArchive.


def load_history(home: Path | None = None, database_url: str | None = None) -> DrawHistory:
    """Bundled 6/49 draws, merged with the user's database when there is one."""
    archive = open_archive(home, database_url)
    if archive is None:
        return bundled_history()
    with archive:
        return archive.history()


def load_prizes(home: Path | None = None, database_url: str | None = None) -> dict[str, DrawPrizes]:
    """Published prize figures per draw id: bundled, then fetched or imported ones on top."""
    archive = open_archive(home, database_url)
    if archive is None:
        return bundled_prizes()
    with archive:
        return archive.prizes()


def next_draw(home: Path | None, now: dt.datetime, database_url: str | None = None) -> NextDraw:
    """The next draw: HKJC's announcement when one is stored and open, else the schedule."""
    archive = open_archive(home, database_url)
    if archive is None:
        return next_scheduled_draw(now)
    with archive:
        return archive.next_draw(now)


# -- writing -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveChange:
    """What an import or update found, and wrote."""

    source: str
    new_draws: list[Draw] = field(default_factory=list)
    known: int = 0
    prizes_updated: int = 0
    next_draw: NextDraw | None = None
    windows: int = 0

    def summary(self) -> str:
        text = f"{len(self.new_draws)} new, {self.known} already known"
        if self.prizes_updated:
            text += f"; prize figures for {self.prizes_updated} draw{'s' if self.prizes_updated != 1 else ''}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "new": [draw.to_json() for draw in self.new_draws],
            "new_count": len(self.new_draws),
            "known_count": self.known,
            "prizes_updated": self.prizes_updated,
            "next_draw": self.next_draw.to_json() if self.next_draw else None,
        }


@dataclass(frozen=True, slots=True)
class _Sorted:
    new_draws: list[Draw]
    known: int


def _origin(draw_id: str) -> str:
    bundled_ids = {draw.draw_id for draw in (*bundled_history(), *legacy_history())}
    return "bundled" if draw_id in bundled_ids else "in the database"


def _sort_incoming(incoming: Iterable[tuple[Draw, str]], known_draws: Iterable[Draw], source: str) -> _Sorted:
    """Split incoming draws into new and known; refuse any conflict."""
    by_id: dict[str, Draw] = {}
    by_date: dict[dt.date, Draw] = {}
    for draw in known_draws:
        by_id[draw.draw_id] = by_date[draw.date] = draw
    new_draws: list[Draw] = []
    known = 0
    for draw, where in incoming:
        existing = by_id.get(draw.draw_id) or by_date.get(draw.date)
        if existing is None:
            new_draws.append(draw)
            by_id[draw.draw_id] = by_date[draw.date] = draw
        elif existing == draw:
            known += 1
        else:
            raise DrawConflict(
                f"{existing.describe()}  ({_origin(existing.draw_id)})",
                f"{draw.describe()}  ({source}, {where})",
            )
    return _Sorted(sorted(new_draws, key=lambda draw: (draw.date, draw.draw_id)), known)


def merge_prizes(old: DrawPrizes | None, new: DrawPrizes) -> DrawPrizes:
    """`new` on top of `old`: a field the new source leaves empty keeps its old value."""
    if old is None:
        return new
    filled = {
        name: getattr(new, name)
        for name in ("turnover", "jackpot", "first_prize_fund", "snowball_code", "snowball_name")
        if getattr(new, name) is not None
    }
    return replace(
        old,
        **filled,
        dividends={**old.dividends, **new.dividends},
        winning_units={**old.winning_units, **new.winning_units},
    )


def _changed_prizes(incoming: Iterable[DrawPrizes], known: dict[str, DrawPrizes]) -> list[DrawPrizes]:
    changed: dict[str, DrawPrizes] = {}
    for prizes in incoming:
        if not (prizes.dividends or prizes.winning_units or prizes.turnover or prizes.jackpot):
            continue  # a record without figures adds nothing
        merged = merge_prizes(changed.get(prizes.draw_id) or known.get(prizes.draw_id), prizes)
        if merged != known.get(prizes.draw_id):
            changed[prizes.draw_id] = merged
    return list(changed.values())


def import_file(
    path: Path, home: Path, database_url: str | None = None, *, now: dt.datetime | None = None
) -> ArchiveChange:
    """`DrawArchive.import_file` for one data folder."""
    with DrawArchive(Locator.resolve(home, database_url)) as archive:
        return archive.import_file(path, now=now)


def _import_file(archive: DrawArchive, path: Path, *, now: dt.datetime | None) -> ArchiveChange:
    from marksix.draws.files import FileRow, read_draw_file

    source = str(path)
    rows = read_draw_file(path)
    problems = [problem for row in rows if (problem := row.row_problem()) is not None]
    first_seen: dict[str, FileRow] = {}
    for row in rows:
        if row.draw is None or row.problems:
            continue
        earlier = first_seen.setdefault(row.draw.draw_id, row)
        if earlier is not row and earlier.draw != row.draw:
            problems.append(
                RowProblem(
                    row.line, f"draw {row.draw.draw_id} differs from its earlier row ({earlier.where})"
                )
            )
    if problems:
        raise ImportRejected(source, sorted(problems, key=lambda problem: problem.line))
    # Pre-6/49 rows passed read_draw_file only as bundled draws: compare them too.
    known_draws = [*archive.history(), *legacy_history()]
    incoming = [(row.draw, row.where) for row in first_seen.values() if row.draw is not None]
    found = _sort_incoming(incoming, known_draws, source)
    prizes = _changed_prizes((row.prizes for row in rows if row.prizes is not None), archive.prizes())
    change = ArchiveChange(source, found.new_draws, found.known, len(prizes))
    if found.new_draws or prizes:
        archive.save(
            new_draws=found.new_draws,
            prizes=prizes,
            announcements=(),
            source=f"import {path.name}",
            now=now or dt.datetime.now(dt.UTC),
        )
    return change


def update_start(history: DrawHistory, prizes: dict[str, DrawPrizes]) -> dt.date:
    """Where `update` starts: the oldest draw of the last year still missing
    its dividends, else the day after the latest draw."""
    since = history.latest.date - REFETCH_WINDOW
    recent = itertools.takewhile(lambda draw: draw.date >= since, reversed(history))
    missing = [
        draw.date for draw in recent if draw.draw_id not in prizes or not prizes[draw.draw_id].dividends
    ]
    return min(missing) if missing else history.latest.date + dt.timedelta(days=1)


def update(
    home: Path,
    client: HkjcClient,
    database_url: str | None = None,
    *,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> ArchiveChange:
    """`DrawArchive.update` for one data folder."""
    with DrawArchive(Locator.resolve(home, database_url)) as archive:
        return archive.update(client, since=since, now=now, progress=progress)


def _update(
    archive: DrawArchive,
    client: HkjcClient,
    *,
    since: dt.date | None,
    now: dt.datetime | None,
    progress: Callable[[str], None],
) -> ArchiveChange:
    from marksix.draws import hkjc
    from marksix.draws.files import FIRST_649_DATE

    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(HONG_KONG).date()
    history = archive.history()
    known_prizes = archive.prizes()
    start = max(since or update_start(history, known_prizes), FIRST_649_DATE)
    records: list[tuple[Any, str]] = []
    windows = list(hkjc.quarter_windows(start, today))
    for number, (first, last) in enumerate(windows, start=1):
        fetched = client.results(first, last)
        progress(f"[{number}/{len(windows)}] {first}..{last}: {sum(map(hkjc.is_result, fetched))} results")
        records.extend((record, f"window {first}..{last}") for record in fetched)
    latest_and_next = client.latest_and_next()
    records.extend((record, "marksixDraw") for record in latest_and_next)

    draws: dict[str, tuple[Draw, str]] = {}
    prizes: list[DrawPrizes] = []
    for record, where in records:
        if not hkjc.is_result(record):
            continue
        try:
            draw = hkjc.parse_result(record)
            record_prizes = hkjc.parse_prizes(record, draw)
        except DataError as error:
            raise DataError(f"HKJC sent a record that is not a valid draw ({where}): {error}") from None
        if draw.date < FIRST_649_DATE:
            continue
        draws.setdefault(draw.draw_id, (draw, where))
        prizes.append(record_prizes)
    found = _sort_incoming(draws.values(), history, "HKJC")
    announcements = [
        hkjc.parse_announcement(record)
        for record in latest_and_next
        if not hkjc.is_result(record) and record.get("drawDate")
    ]
    upcoming = min(
        (item for item in announcements if item.sales_close_at > now), key=lambda d: d.date, default=None
    )
    changed_prizes = _changed_prizes(prizes, known_prizes)
    if found.new_draws or changed_prizes or announcements:
        archive.save(
            new_draws=found.new_draws,
            prizes=changed_prizes,
            announcements=announcements,
            source="HKJC",
            now=now,
        )
    return ArchiveChange(
        "HKJC", found.new_draws, found.known, len(changed_prizes), upcoming, windows=len(windows)
    )
