"""One SQLite transaction at a time across the processes that serve one database.

SQLite lets one writer in at a time; the others wait in its busy handler,
which sleeps in steps of up to 100 ms and may wake after the writer has
long finished. With the webhook route and several worker threads writing
at once, those sleeps, not the writes, set the latency. A lock taken when
a transaction begins and released when it ends hands the database from
thread to thread at once instead.

The server, its worker process and any `marksix worker` processes share
the database (each opens it through `worker.runtime.open_store`, which
installs this lock), so the lock has two levels: a reentrant thread lock inside the
process, and an exclusive `flock` on a file next to the database between
processes, which the kernel hands over the moment it is released. Other
programs (the CLI) still meet SQLite's own locking, as before.

The thread lock is reentrant: a thread that opens a second connection while
it holds one (a read inside a write) does not block itself. Connections
are short-lived here (one per repository call), so holding the lock until
a connection is returned costs nothing.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

try:
    import fcntl
except ImportError:  # Windows: the thread lock alone; processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = "-writer.lock"


def serialise_transactions(engine: Engine) -> bool:
    """Install the lock on a file-backed SQLite engine; False (nothing done) for other databases.

    The lock is taken when a connection begins a transaction and released
    when the connection goes back to the pool, that is after its COMMIT or
    ROLLBACK has run (SQLAlchemy's own commit event fires before the commit).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    lock = threading.RLock()
    held: dict[int, int] = {}  # id(DBAPI connection) -> times it took the lock
    guard = threading.Lock()
    between_processes = _ProcessLock(Path(str(engine.url.database)).expanduser())
    depth = [0]  # how deep the thread holding `lock` is; only that thread touches it

    def begin(connection: Any) -> None:
        lock.acquire()
        depth[0] += 1
        if depth[0] == 1:
            between_processes.acquire()
        key = id(connection.connection.dbapi_connection)
        with guard:
            held[key] = held.get(key, 0) + 1

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        with guard:
            count = held.pop(id(dbapi_connection), 0)
        for _ in range(count):
            depth[0] -= 1
            if depth[0] == 0:
                between_processes.release()
            lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine.pool, "checkin", checkin)
    return True


class _ProcessLock:
    """An exclusive flock on `<database>-writer.lock`; a no-op where flock does not exist."""

    def __init__(self, database: Path) -> None:
        self._descriptor: int | None = None
        if fcntl is not None:
            path = database.with_name(database.name + LOCK_SUFFIX)
            self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            weakref.finalize(self, os.close, self._descriptor)

    def acquire(self) -> None:
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
