"""One SQLite transaction at a time inside this server process.

SQLite lets one writer in at a time; the others wait in its busy handler,
which sleeps in steps of up to 100 ms and may wake after the writer has
long finished. With the webhook route and several worker threads writing
at once, those sleeps, not the writes, set the latency. A lock taken when
a transaction begins and released when it ends hands the database from
thread to thread at once instead. Other processes (a second worker, the
CLI) still meet SQLite's own locking, as before.

The lock is reentrant: a thread that opens a second connection while it
holds one (a read inside a write) does not block itself.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event


def serialise_transactions(engine: Engine) -> bool:
    """Install the lock on a file-backed SQLite engine; False (nothing done) for other databases."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    lock = threading.RLock()
    held: dict[int, int] = {}  # id(connection) -> transactions it holds the lock for
    guard = threading.Lock()

    def begin(connection: Any) -> None:
        lock.acquire()
        with guard:
            held[id(connection)] = held.get(id(connection), 0) + 1

    def end(connection: Any) -> None:
        with guard:
            count = held.get(id(connection), 0)
            if not count:
                return
            if count == 1:
                del held[id(connection)]
            else:
                held[id(connection)] = count - 1
        lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    return True
