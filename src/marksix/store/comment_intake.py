"""Storing incoming comments: one at a time, or many deliveries in one transaction.

The webhook acknowledges a delivery once its comments are committed. Under
load many deliveries arrive while one commit runs; `record_many` stores all
of them in one transaction, so they share one commit (and one turn at the
write lock) instead of paying for one each. A comment's row is its place in
the queue: it is stored `queued`, and the worker claims it from the table.
The group's commit is done before any of its deliveries is acknowledged.

On SQLite the webhook first tries `record_many_now`, which stores a group
on a connection of its own without ever waiting (`store.sqlite_intake`,
which also says when its commits reach the disk), and falls back to
`record_many` in a thread when the database is busy; that one syncs
each commit to disk before it returns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite

from marksix.store.comment_records import IncomingComment, epoch
from marksix.store.service_tables import CommentState, comments
from marksix.store.sqlite_intake import SqliteIntake

#: A skip code and reason for a comment that surely gets no reply (the account's own), or None.
SkipFor = Callable[[IncomingComment], "tuple[str, str] | None"]


def _never_skipped(_event: IncomingComment) -> tuple[str, str] | None:
    return None


#: `CommentIntake._intake` before its first use (None then means "not SQLite").
_UNOPENED: Any = object()


class CommentIntake:
    """The intake half of `CommentRepository` (it inherits this)."""

    engine: Engine
    _inserts: dict[str, Any]
    _intake: SqliteIntake | None = _UNOPENED
    #: `record_many_now`'s commits are on disk when they return (else within a second).
    fsync_each: bool = False

    def record(
        self,
        event: IncomingComment,
        *,
        now: datetime,
        source: str = "webhook",
        commented_at: datetime | None = None,
        queued: bool = False,
        skipped: tuple[str, str] | None = None,
    ) -> bool:
        """Store a comment once; False when this account's comment was already known.

        `queued=True` stores it ready for the worker, as `queue` would, in the
        same transaction; `skipped=(code, reason)` stores it finished, for a
        comment that surely gets no reply (the account's own). One statement
        either way, so the webhook pays one transaction per comment.
        """
        values = _values(
            event, now=now, source=source, commented_at=commented_at, queued=queued, skipped=skipped
        )
        with self.engine.begin() as connection:
            # rowcount is unreliable here (-1 on some drivers); a returned id is not.
            return connection.execute(self._insert_new(connection.dialect.name), values).first() is not None

    def record_many(
        self,
        events: Sequence[IncomingComment],
        *,
        now: datetime,
        source: str = "webhook",
        skipped: SkipFor = _never_skipped,
    ) -> list[bool]:
        """Store `events` queued (or finished, where `skipped` gives a reason) in one transaction.

        For each event, whether it was new: a comment already stored, or one
        that comes twice in `events`, is new once at most. Nothing is stored
        unless everything is (the caller retries a failed group one by one).
        """
        firsts, rows = _rows(events, now=now, source=source, skipped=skipped)
        new = [False] * len(events)
        if not rows:
            return new
        with self.engine.connect() as connection, _synced_to_disk(connection), connection.begin():
            # One INSERT ... VALUES (...), (...) RETURNING (SQLAlchemy's "insertmanyvalues").
            stored = connection.execute(self._insert_new(connection.dialect.name), rows).all()
        for row in stored:
            new[firsts[(row.account_id, row.comment_id)]] = True
        return new

    def record_many_now(
        self,
        events: Sequence[IncomingComment],
        *,
        now: datetime,
        source: str = "webhook",
        skipped: SkipFor = _never_skipped,
    ) -> list[bool] | None:
        """`record_many` without waiting for the database, cheaply enough for the event loop.

        None, with nothing stored, when it cannot: another writer holds the
        database, or the database is not a SQLite file (`store.sqlite_intake`).
        """
        intake = self._intake_now()
        if intake is None:
            return None
        firsts, rows = _rows(events, now=now, source=source, skipped=skipped)
        new = [False] * len(events)
        if not rows:
            return new
        stored = intake.try_insert(rows)
        if stored is None:
            return None
        for key in stored:
            new[firsts[key]] = True
        return new

    def close(self) -> None:
        """Close the connection `record_many_now` keeps (the engine's pool is the caller's)."""
        intake, self._intake = self._intake, None
        if intake is not None and intake is not _UNOPENED:
            intake.close()

    def _intake_now(self) -> SqliteIntake | None:
        if self._intake is _UNOPENED:
            self._intake = SqliteIntake.open(self.engine, fsync_each=self.fsync_each)
        return self._intake

    def _insert_new(self, dialect: str) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING its key, built once: its values are
        parameters, so SQLAlchemy compiles it once instead of rebuilding it for every comment."""
        statement = self._inserts.get(dialect)
        if statement is None:
            insert_module = postgresql if dialect == "postgresql" else sqlite
            statement = self._inserts[dialect] = (
                insert_module.insert(comments)
                .on_conflict_do_nothing(index_elements=["account_id", "comment_id"])
                .returning(comments.c.id, comments.c.account_id, comments.c.comment_id)
            )
        return statement


@contextlib.contextmanager
def _synced_to_disk(connection: Connection) -> Iterator[None]:
    """On SQLite, commit with synchronous=FULL: the WAL reaches the disk before the commit returns.

    The store runs at NORMAL, which survives a crash of the process but not
    of the machine. This is the webhook's path when `record_many_now` could
    not store at once (the database was busy); it is rare, so it keeps the
    stricter promise (one fsync per group of deliveries, shared by all of them).
    The level can only change outside a transaction, hence on the raw connection.
    PostgreSQL commits durably already (synchronous_commit).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        raw.execute("PRAGMA synchronous=NORMAL")


def _rows(
    events: Sequence[IncomingComment], *, now: datetime, source: str, skipped: SkipFor
) -> tuple[dict[tuple[str, str], int], list[dict[str, Any]]]:
    """Each comment's first position in `events`, and the rows to insert (a comment once)."""
    firsts: dict[tuple[str, str], int] = {}
    rows = []
    for index, event in enumerate(events):
        key = (event.account_id, event.comment_id)
        if key in firsts:
            continue
        firsts[key] = index
        skip = skipped(event)
        rows.append(_values(event, now=now, source=source, queued=skip is None, skipped=skip))
    return firsts, rows


def _values(
    event: IncomingComment,
    *,
    now: datetime,
    source: str,
    commented_at: datetime | None = None,
    queued: bool,
    skipped: tuple[str, str] | None,
) -> dict[str, Any]:
    state = CommentState.SKIPPED if skipped else CommentState.QUEUED if queued else CommentState.RECEIVED
    return {
        "account_id": event.account_id,
        "comment_id": event.comment_id,
        "media_id": event.media_id,
        "parent_id": event.parent_id,
        "from_id": event.from_id,
        "username": event.from_username,
        "text": event.text or "",
        "field": event.field,
        "media_product_type": event.media_product_type,
        "is_self": 1 if event.self_ig_scoped_id else 0,
        "source": source,
        "state": state,
        "attempts": 0,
        "commented_at": commented_at or epoch(event.timestamp),
        "received_at": now,
        "updated_at": now,
        "enqueued_at": now if state == CommentState.QUEUED else None,
        "finished_at": now if skipped else None,
        "reason_code": skipped[0] if skipped else None,
        "reason": skipped[1] if skipped else None,
    }
