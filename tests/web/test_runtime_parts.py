"""The server's own plumbing: the SQLite transaction lock (threads, processes)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from marksix.store.engine import make_engine, write_transaction
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
                # Read, then write: a write transaction from its BEGIN.
                with write_transaction(engine) as connection:
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


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_reads_do_not_take_the_lock_and_writes_take_it_at_their_first_write(tmp_path: Path) -> None:
    import fcntl

    database = tmp_path / "shared.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    serialise_transactions(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    other = os.open(database.with_name(database.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT)
    try:
        # A dashboard query, a metrics scrape: a read transaction leaves the lock free.
        with engine.connect() as reader:
            reader.execute(text("SELECT count(*) FROM t")).scalar_one()
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(other, fcntl.LOCK_UN)
        with engine.begin() as writer:
            writer.execute(text("SELECT count(*) FROM t")).scalar_one()
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # not yet: nothing written
            fcntl.flock(other, fcntl.LOCK_UN)
            writer.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Read-then-write work holds it from BEGIN.
        with write_transaction(engine), pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
        engine.dispose()


_HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from marksix.store.sqlite_lock import ProcessLock
lock = ProcessLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_a_wedged_holder_ends_the_wait_with_an_error_naming_it(tmp_path: Path) -> None:
    import subprocess

    from marksix.errors import StoreError
    from marksix.store.sqlite_lock import ProcessLock

    database = tmp_path / "shared.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_LOCK, str(database)], stdout=subprocess.PIPE, text=True
    ) as wedged:
        try:
            assert wedged.stdout is not None and wedged.stdout.readline().strip() == "held"
            lock = ProcessLock(database, timeout=0.2)
            with pytest.raises(StoreError) as raised:
                lock.acquire()
            assert f"process {wedged.pid} (MainProcess" in str(raised.value)
            assert "write lock" in str(raised.value)
        finally:
            wedged.kill()
    # Once the holder is gone the lock is free again, and the late helper gave back what it got.
    patient = ProcessLock(database, timeout=10)
    patient.acquire()
    patient.release()
    lock.timeout = 10
    lock.acquire()
    lock.release()
