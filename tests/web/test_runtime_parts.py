"""The server's own plumbing: the SQLite transaction lock (threads, processes), reused contexts."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from marksix.store.engine import make_engine
from marksix.store.sqlite_lock import LOCK_SUFFIX, serialise_transactions


def test_concurrent_writers_all_commit_and_a_nested_connection_does_not_deadlock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.sqlite3'}")
    assert serialise_transactions(engine) is True
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    problems: list[BaseException] = []

    def add(times: int) -> None:
        try:
            for _ in range(times):
                with engine.begin() as connection:
                    value = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    # A second connection from the same thread while the first is open.
                    with engine.connect() as reader:
                        reader.execute(text("SELECT count(*) FROM counter")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except BaseException as problem:
            problems.append(problem)

    threads = [threading.Thread(target=add, args=(50,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not problems
    with engine.connect() as connection:
        # Read-then-write without lost updates: the transactions really ran one at a time.
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 200
    engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_a_transaction_holds_the_lock_other_processes_wait_on(tmp_path: Path) -> None:
    import fcntl

    database = tmp_path / "shared.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    serialise_transactions(engine)
    # What the worker process would do: open the same lock file and ask for it.
    other = os.open(database.with_name(database.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the connection is returned
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
        engine.dispose()


def test_memory_databases_are_left_alone() -> None:
    engine = make_engine("sqlite://")
    assert serialise_transactions(engine) is False
    engine.dispose()
