"""One SQLite write transaction at a time across the processes that serve one database.

SQLite lets one writer in at a time; the others wait in its busy handler,
which sleeps in steps of up to 100 ms and may wake after the writer has
long finished. With the webhook route and several worker threads writing
at once, those sleeps, not the writes, set the latency. A lock taken when
a transaction first writes and released when it ends hands the database
from thread to thread at once instead.

The server, its worker process and any `marksix worker` processes share
the database (each opens it through `worker.runtime.open_store`, which
installs this lock), so the lock has two levels: a reentrant thread lock
inside the process, and an exclusive `flock` on a file next to the
database between processes, which the kernel hands over the moment it is
released. Other programs (the CLI) still meet SQLite's own locking.

Only writers take it. Reads (the dashboard, metrics scrapes, the
sweeper's scans) run beside a writer, as WAL allows. A transaction takes
the lock at its first INSERT, UPDATE, DELETE or DDL statement, or at BEGIN
when it is a `write_transaction` (BEGIN IMMEDIATE): work that reads and
then writes must be one, or a writer that commits between its read and
its write makes SQLite refuse the write.

A process that holds the lock and hangs must not stop every writer for
good: a writer waits `timeout` seconds at most, then gets a StoreError
naming the holder (its pid, process and thread, and for how long), which
the holder writes into the lock file when it takes the lock. `filelock`
was considered: it polls with sleeps, which is the very latency this lock
removes, and does not know its holder.

The thread lock is reentrant: a thread that opens a second connection while
it holds one (a read inside a write) does not block itself. Connections
are short-lived here (one per repository call), so holding the lock until
a connection is returned costs nothing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from marksix.errors import StoreError
from marksix.store.engine import IMMEDIATE_OPTION

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone; processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = "-writer.lock"
#: How long a writer waits for another process's write transaction before giving up.
TIMEOUT_SECONDS = 30.0
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_HOLDER_BYTES = 256


def serialise_transactions(engine: Engine, *, timeout: float = TIMEOUT_SECONDS) -> bool:
    """Install the lock on a file-backed SQLite engine; False (nothing done) for other databases.

    The lock is taken at a transaction's first write (or its BEGIN IMMEDIATE)
    and released when the connection goes back to the pool, that is after its
    COMMIT or ROLLBACK has run (SQLAlchemy's own commit event fires before the commit).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    lock = _LOCKS[engine] = WriteLock(Path(str(engine.url.database)).expanduser(), timeout=timeout)

    def begin(connection: Any) -> None:
        if connection.get_execution_options().get(IMMEDIATE_OPTION, False):
            lock.take(id(connection.connection.dbapi_connection))

    def before_execute(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _WRITES.match(statement):
            lock.take(id(connection.connection.dbapi_connection))

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        lock.give_back(id(dbapi_connection))

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine.pool, "checkin", checkin)
    return True


def write_lock(engine: Engine) -> WriteLock | None:
    """The lock `serialise_transactions` installed on `engine`, for writers that bypass the pool."""
    return _LOCKS.get(engine)


class WriteLock:
    """The database's write lock in this process: a reentrant thread lock, then the file lock.

    Holders are keyed by their DBAPI connection, so a connection that writes
    twice in one transaction takes it once, and gives it back at check-in.
    """

    def __init__(self, database: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._lock = threading.RLock()
        self._held: dict[int, int] = {}  # id(DBAPI connection) -> times it took the lock
        self._guard = threading.Lock()
        self._between_processes = ProcessLock(database, timeout=timeout)
        self._depth = 0  # how deep the thread holding `_lock` is; only that thread touches it
        self._owner = ""  # the name of that thread, for the timeout's message

    def take(self, key: int) -> None:
        """Hold the lock for connection `key`, waiting `timeout` seconds at most (then StoreError)."""
        self._take(key, wait=True)

    def try_take(self, key: int) -> bool:
        """Hold the lock for `key` if nobody else holds it now; False at once otherwise."""
        return self._take(key, wait=False)

    def give_back(self, key: int) -> None:
        """Release what connection `key` took (nothing if it took nothing)."""
        with self._guard:
            count = self._held.pop(key, 0)
        for _ in range(count):
            self._depth -= 1
            if self._depth == 0:
                self._between_processes.release()
            self._lock.release()

    def _take(self, key: int, *, wait: bool) -> bool:
        with self._guard:
            if key in self._held:
                return True
        if wait:
            if not self._lock.acquire(timeout=self.timeout):
                raise StoreError(
                    f"waited {self.timeout:.0f} s for the database's write lock; "
                    f"thread {self._owner} of this process (pid {os.getpid()}) holds it"
                )
        elif not self._lock.acquire(blocking=False):
            return False
        self._depth += 1
        if self._depth == 1:
            self._owner = threading.current_thread().name
            got = False
            try:
                got = self._between_processes.acquire() if wait else self._between_processes.try_acquire()
            finally:
                if not got:
                    self._depth -= 1
                    self._lock.release()
            if not got:
                return False
        with self._guard:
            self._held[key] = self._held.get(key, 0) + 1
        return True


_LOCKS: weakref.WeakKeyDictionary[Engine, WriteLock] = weakref.WeakKeyDictionary()


class ProcessLock:
    """An exclusive flock on `<database>-writer.lock` with a timeout; a no-op without flock.

    Taken without waiting when it is free. When it is not, a helper thread
    waits in the kernel (which hands the lock over the moment it is released)
    while the caller waits for it `timeout` seconds at most; a lock the helper
    gets after the caller gave up is released at once.
    """

    def __init__(self, database: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.path = database.with_name(database.name + LOCK_SUFFIX)
        self.timeout = timeout
        self._descriptor: int | None = None
        self._state = threading.Condition()
        self._wanted = False  # a caller waits for the helper
        self._granted = False  # the helper got the lock for that caller
        self._in_kernel = False  # the helper is blocked in flock
        self._helper: threading.Thread | None = None
        if fcntl is not None:
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            weakref.finalize(self, os.close, self._descriptor)

    def try_acquire(self) -> bool:
        """Take the lock if it is free now; False at once when another holds or awaits it."""
        descriptor = self._descriptor
        if descriptor is None:
            return True
        with self._state:
            if self._in_kernel:
                return False
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        self._note_holder(descriptor)
        return True

    def acquire(self) -> bool:
        """Take the lock, waiting `timeout` seconds at most (then StoreError); True."""
        descriptor = self._descriptor
        if descriptor is None:
            return True
        with self._state:
            # While the helper is blocked in flock, a lock taken here would be
            # released by it when it wakes: go through the helper then.
            if not self._in_kernel:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    self._note_holder(descriptor)
                    return True
            self._wanted, self._granted = True, False
            if self._helper is None:
                self._helper = threading.Thread(
                    target=self._wait_in_kernel, name="marksix-db-lock", daemon=True
                )
                self._helper.start()
            self._state.notify_all()
            got = self._state.wait_for(lambda: self._granted, self.timeout)
            self._wanted, self._granted = False, False
            if not got:
                raise StoreError(self._timeout_message())
        self._note_holder(descriptor)
        return True

    def release(self) -> None:
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def holder(self) -> str:
        """Who last took the lock, as they wrote it ('' when nobody has)."""
        if self._descriptor is None:
            return ""
        return os.pread(self._descriptor, _HOLDER_BYTES, 0).decode("utf-8", "replace").strip("\x00 \n")

    def _wait_in_kernel(self) -> None:
        descriptor = self._descriptor
        assert descriptor is not None  # started only with one
        while True:
            with self._state:
                self._state.wait_for(lambda: self._wanted and not self._granted)
                self._in_kernel = True
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            with self._state:
                self._in_kernel = False
                if self._wanted and not self._granted:
                    self._granted = True
                    self._state.notify_all()
                else:  # the caller gave up meanwhile
                    fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _note_holder(self, descriptor: int) -> None:
        name = f"{multiprocessing.current_process().name}, thread {threading.current_thread().name}"
        note = f"{os.getpid()} {time.time():.3f} {name}"
        os.pwrite(descriptor, note.encode()[:_HOLDER_BYTES].ljust(_HOLDER_BYTES), 0)

    def _timeout_message(self) -> str:
        who = "another process"
        pid, _, rest = self.holder().partition(" ")
        since, _, name = rest.partition(" ")
        if pid.isdigit():
            who = f"process {pid} ({name})"
            with contextlib.suppress(ValueError):
                who += f" since {time.time() - float(since):.0f} s ago"
        return (
            f"waited {self.timeout:.0f} s for the database's write lock ({self.path}); {who} holds it. "
            "If that process hangs, stop it; the lock is released when it exits."
        )
