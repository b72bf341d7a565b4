"""`record_many_now`: the webhook's store on the event loop, which never waits (SQLite).

It must store exactly what `record_many` stores, durably, and answer None
(with nothing written) whenever another writer holds the database: a thread
of this process, another process through the lock file, or a program that
takes SQLite's own lock only.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from service_fakes import event
from sqlalchemy import Engine, text

from marksix.store.comments import CommentRepository
from marksix.store.engine import make_engine, upgrade
from marksix.store.sqlite_lock import LOCK_SUFFIX, serialise_transactions

NOW = datetime(2026, 12, 2, 5, 0, 0, tzinfo=UTC)  # microsecond 0: formatted like any other time


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Engine, CommentRepository, Path]]:
    path = tmp_path / "intake.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    serialise_transactions(engine, timeout=1)
    comments = CommentRepository(engine)
    yield engine, comments, path
    comments.close()
    engine.dispose()


def _raw_rows(path: Path) -> dict[str, dict[str, object]]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM comments").fetchall()
    return {row["comment_id"]: dict(row) for row in rows}


def test_it_stores_byte_for_byte_what_record_many_stores(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    _engine, comments, path = database
    own = lambda e: ("own_comment", "written by the account itself") if e.from_id == "me" else None  # noqa: E731
    slow = [event(comment_id="s1", username="amy"), event(comment_id="s2", from_id="me", username="acct")]
    fast = [event(comment_id="f1", username="amy"), event(comment_id="f2", from_id="me", username="acct")]
    assert comments.record_many(slow, now=NOW, skipped=own) == [True, True]
    assert comments.record_many_now(fast, now=NOW, skipped=own) == [True, True]
    later = NOW.replace(microsecond=123456)
    assert comments.record_many([event(comment_id="s3")], now=later) == [True]
    assert comments.record_many_now([event(comment_id="f3")], now=later) == [True]
    rows = _raw_rows(path)
    for slow_id, fast_id in (("s1", "f1"), ("s2", "f2"), ("s3", "f3")):
        a, b = dict(rows[slow_id]), dict(rows[fast_id])
        for row in (a, b):
            del row["id"], row["comment_id"]
        assert a == b
    assert rows["f1"]["received_at"] == "2026-12-02 05:00:00.000000"
    assert rows["f3"]["received_at"] == "2026-12-02 05:00:00.123456"
    assert rows["f2"]["state"] == "skipped" and rows["f1"]["state"] == "queued"


def test_a_repeat_is_new_once_within_a_group_and_across_paths(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    _engine, comments, _path = database
    first, second = event(comment_id="c1"), event(comment_id="c2")
    assert comments.record_many_now([first, second, first], now=NOW) == [True, True, False]
    assert comments.record_many_now([second], now=NOW) == [False]  # a redelivery
    assert comments.record_many([first], now=NOW) == [False]
    assert comments.record_many_now([], now=NOW) == []
    assert comments.counts_by_state()["queued"] == 2


def test_what_it_returns_is_committed_and_the_wal_is_synced_soon_after(
    database: tuple[Engine, CommentRepository, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default (MARKSIX_WEBHOOK_FSYNC=second): committed at once, fsynced by a background thread."""
    from marksix.store import sqlite_intake

    engine, comments, path = database
    synced = threading.Event()
    real_fsync = os.fsync

    def noting_fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        if os.readlink(f"/proc/self/fd/{descriptor}").endswith("-wal"):
            synced.set()

    monkeypatch.setattr(sqlite_intake.os, "fsync", noting_fsync)
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) == [True]
    intake = comments._intake_now()
    assert intake is not None
    connection = intake._connect()
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no fsync in the call
    assert not connection.in_transaction
    assert "c1" in _raw_rows(path)  # another connection sees it: committed
    assert synced.wait(10)  # and the WAL reached the disk without anyone asking
    with engine.connect() as other:
        raw = other.connection.dbapi_connection
        assert raw is not None and raw.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_with_fsync_each_the_commit_is_on_disk_before_it_returns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'each.sqlite3'}")
    upgrade(engine)
    comments = CommentRepository(engine, fsync_each=True)
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) == [True]
    intake = comments._intake_now()
    assert intake is not None
    assert intake._connect().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    comments.close()
    engine.dispose()


def test_the_setting_reaches_the_store(tmp_path: Path) -> None:
    from marksix.config import load_settings
    from marksix.worker.runtime import open_store

    for value, each in (("second", False), ("each", True)):
        settings = load_settings(home=tmp_path / value, webhook_fsync=value, _env_file=None)
        engine, comments, _accounts = open_store(settings, sandbox=True)
        assert comments.fsync_each is each
        engine.dispose()


def test_another_process_holding_the_lock_file_gets_none_and_nothing_is_written(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    _engine, comments, path = database
    other = os.open(path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert comments.record_many_now([event(comment_id="c1")], now=NOW) is None
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
    assert "c1" not in _raw_rows(path)
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) == [True]  # free again


def test_a_thread_of_this_process_in_a_write_transaction_gets_it_none(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    engine, comments, path = database
    holding, done = threading.Event(), threading.Event()

    def writer() -> None:
        with engine.begin() as connection:
            connection.execute(text("UPDATE comments SET attempts = attempts WHERE 0"))
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        assert comments.record_many_now([event(comment_id="c1")], now=NOW) is None
    finally:
        done.set()
        thread.join(10)
    assert "c1" not in _raw_rows(path)
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) == [True]


def test_a_program_holding_only_sqlites_own_lock_gets_it_none(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    _engine, comments, path = database
    cli = sqlite3.connect(path, isolation_level=None)
    try:
        cli.execute("BEGIN IMMEDIATE")
        assert comments.record_many_now([event(comment_id="c1")], now=NOW) is None
        cli.execute("ROLLBACK")
    finally:
        cli.close()
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) == [True]


def test_the_wal_stays_bounded_under_a_stream_of_groups(
    database: tuple[Engine, CommentRepository, Path],
) -> None:
    """It checkpoints as it goes, so the WAL starts over instead of growing with every commit."""
    _engine, comments, path = database
    for group in range(1000):
        events = [event(comment_id=f"c{group}-{n}") for n in range(10)]
        assert comments.record_many_now(events, now=NOW) == [True] * 10
    wal = path.with_name(path.name + "-wal")
    # 1,000 pages of 4 KiB before a checkpoint, then it starts over; without it, about 50 MB here.
    assert wal.stat().st_size < 8_000_000
    assert comments.counts_by_state()["queued"] == 10_000


def test_an_in_memory_database_has_no_such_path(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    upgrade(engine)
    comments = CommentRepository(engine)
    assert comments.record_many_now([event(comment_id="c1")], now=NOW) is None
    comments.close()
    engine.dispose()
