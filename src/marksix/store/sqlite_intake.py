"""Storing a group of webhook comments on SQLite in one statement, cheaply enough for the event loop.

SQLAlchemy's path (`CommentIntake.record_many`) cost 0.43 ms of CPU for a
one-comment group, against 0.16 ms on a plain connection, both with their
fsync (pool checkout, events, two pragmas, compiling the parameters), and
runs in a thread whose hand-offs of the GIL slow the event loop down.
Under a webhook flood that was most of what a delivery cost. This writer
keeps one connection of its own and stores a group with one `INSERT ...
VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING`, which in autocommit
mode is its own transaction.

When the commit reaches the disk (`MARKSIX_WEBHOOK_FSYNC`):
- `second` (the default): the commit is written to the WAL, which survives
  the process being killed, and a background thread fsyncs the WAL within
  a second, as PostgreSQL's `synchronous_commit=off` does. Only an OS crash
  or a power cut in that second can lose acknowledged comments, and the
  reconciler then finds them on the account's recent posts. Waiting for
  the fsync before answering cost about a fifth of the webhook throughput.
- `each`: synchronous=FULL, the commit is on disk before the caller answers.

It never waits. When another writer holds the database (a worker thread,
another process, the CLI) it answers None at once, and the caller stores
the group the waiting way, in a thread. It checkpoints the WAL itself, as
SQLite does by default (every 1,000 pages): a checkpoint run from another
thread, while this one kept writing, could never let the WAL start over,
and the WAL grew without end (170 MB in 3,000 groups), with every fsync
then also growing the file.

The values go through the columns' own bind processors, so a row stored
here reads back exactly like one SQLAlchemy stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Engine

from marksix.store.service_tables import comments
from marksix.store.sqlite_lock import WriteLock, write_lock

log = structlog.get_logger("marksix.store.sqlite_intake")

#: SQLite's default limit on a statement's parameters (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
MAX_PARAMETERS = 32_766


class SqliteIntake:
    """One connection that inserts comment rows at once or not at all (see the module's notes)."""

    def __init__(self, engine: Engine, lock: WriteLock | None, *, fsync_each: bool = False) -> None:
        self._path = str(engine.url.database)
        self._lock = lock
        self._fsync_each = fsync_each
        self._syncer = None if fsync_each else _BackgroundSync(self._path + "-wal")
        dialect = engine.dialect
        self._processors = {
            column.name: column.type.dialect_impl(dialect).bind_processor(dialect) for column in comments.c
        }
        self._connection: sqlite3.Connection | None = None
        self._statements: dict[tuple[tuple[str, ...], int], str] = {}
        self._busy = threading.Lock()  # one insert at a time; a second caller is told "not now"

    @classmethod
    def open(cls, engine: Engine, *, fsync_each: bool = False) -> SqliteIntake | None:
        """For a file-backed SQLite engine; None for PostgreSQL or an in-memory database."""
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return None
        return cls(engine, write_lock(engine), fsync_each=fsync_each)

    def try_insert(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]] | None:
        """Insert `rows` (all with the same keys); the (account_id, comment_id) of those that were new.

        Committed before it returns, and on disk then or within a second (see
        the module's notes). None, with nothing written, when the database is
        busy or the group is too large for one statement.
        """
        if not rows:
            return []
        names = tuple(rows[0])
        if len(rows) * len(names) > MAX_PARAMETERS:
            return None
        statement = self._statement(names, len(rows))
        parameters = self._parameters(rows, names)
        if not self._busy.acquire(blocking=False):
            return None
        try:
            connection = self._connect()
            key = id(connection)
            if self._lock is not None and not self._lock.try_take(key):
                return None
            try:
                stored = connection.execute(statement, parameters).fetchall()
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return None  # a writer that does not take our lock (the CLI) has it
                raise
            finally:
                if self._lock is not None:
                    self._lock.give_back(key)
        finally:
            self._busy.release()
        if stored and self._syncer is not None:
            self._syncer.committed()
        return [(str(account_id), str(comment_id)) for account_id, comment_id in stored]

    def close(self) -> None:
        with self._busy:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
        if self._syncer is not None:
            self._syncer.close()

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            # WAL like every other connection (the engine sets it); FULL when each commit must
            # be on disk before it returns (else NORMAL, and `_BackgroundSync`); no busy wait,
            # so the caller's thread never waits for another writer.
            # A 64 MiB page cache (at most; SQLite's default is 2 MiB) keeps the six indexes' pages
            # that inserts touch: with the default, a webhook flood re-read them from the file and
            # spent about a fifth more CPU per delivery (measured with bench/bench_load.py).
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL" if self._fsync_each else "synchronous=NORMAL",
                "busy_timeout=0",
                "cache_size=-65536",
            ):
                connection.execute(f"PRAGMA {pragma}").fetchall()
            self._connection = connection
        return self._connection

    def _statement(self, names: tuple[str, ...], count: int) -> str:
        statement = self._statements.get((names, count))
        if statement is None:
            unknown = set(names) - set(self._processors)
            if unknown:  # the names are ours (`comment_intake._values`), never input; check anyway
                raise ValueError(f"not columns of {comments.name}: {sorted(unknown)}")
            row = "(" + ",".join("?" * len(names)) + ")"
            statement = (
                f"INSERT INTO {comments.name} ({','.join(names)}) VALUES {','.join([row] * count)} "  # noqa: S608
                "ON CONFLICT (account_id, comment_id) DO NOTHING RETURNING account_id, comment_id"
            )
            if len(self._statements) > 512:  # group sizes vary; keep the cache bounded
                self._statements.clear()
            self._statements[(names, count)] = statement
        return statement

    def _parameters(self, rows: Sequence[Mapping[str, Any]], names: tuple[str, ...]) -> list[Any]:
        processed = [
            (index, processor)
            for index, name in enumerate(names)
            if (processor := self._processors[name]) is not None
        ]
        # A group's rows share their times: each distinct one is converted once.
        seen: dict[tuple[int, datetime], Any] = {}
        parameters: list[Any] = []
        for row in rows:
            values = [row[name] for name in names]
            for index, processor in processed:
                value = values[index]
                if isinstance(value, datetime):
                    found = seen.get((index, value))
                    if found is None:
                        found = seen[(index, value)] = processor(value)
                    values[index] = found
                elif value is not None:
                    values[index] = processor(value)
            parameters.extend(values)
        return parameters


#: With `fsync_each=False`, a commit reaches the disk at most about this long after it returns.
SYNC_WITHIN_SECONDS = 1.0


class _BackgroundSync:
    """fsync the WAL file soon after commits, at most once per `every` seconds, from a daemon thread.

    An isolated commit is synced at once; under a flood the commits of each
    second share one fsync. A fsync on any descriptor of the file flushes it,
    so the thread opens its own.
    """

    def __init__(self, wal: str, every: float = SYNC_WITHIN_SECONDS) -> None:
        self._wal = wal
        self._every = every
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def committed(self) -> None:
        self._dirty.set()
        if self._thread is None:
            with self._start:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(target=self._run, name="marksix-wal-sync", daemon=True)
                    self._thread.start()

    def close(self) -> None:
        """Sync what is left, and stop the thread."""
        self._stop.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join(10)
        self.sync()

    def sync(self) -> None:
        try:
            descriptor = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:  # nothing written since the last checkpoint removed it
            return
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            self._dirty.clear()
            if self._stop.is_set():
                return
            try:
                self.sync()
            except OSError as error:  # the next commit tries again; the checkpoint syncs too
                log.warning("wal_sync_failed", error=str(error))
            self._stop.wait(self._every)
