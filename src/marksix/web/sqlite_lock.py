"""One SQLite transaction at a time inside this server process.

SQLite lets one writer in at a time; the others wait in its busy handler,
which sleeps in steps of up to 100 ms and may wake after the writer has
long finished. With the webhook route and several worker threads writing
at once, those sleeps, not the writes, set the latency. A lock taken when
a transaction begins and released when it ends hands the database from
thread to thread at once instead. Other processes (a second worker, the
CLI) still meet SQLite's own locking, as before.

The lock is reentrant: a thread that opens a second connection while it
holds one (a read inside a write) does not block itself. Connections are
short-lived here (one per repository call), so holding the lock until a
connection is returned costs nothing.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event


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

    def begin(connection: Any) -> None:
        lock.acquire()
        key = id(connection.connection.dbapi_connection)
        with guard:
            held[key] = held.get(key, 0) + 1

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        with guard:
            count = held.pop(id(dbapi_connection), 0)
        for _ in range(count):
            lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine.pool, "checkin", checkin)
    return True
