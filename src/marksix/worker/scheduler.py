"""The one scheduler: sweep, reconcile, token refresh and the results poller, in one process.

With several workers, each Huey consumer started with `--periodic` would
enqueue its own sweep, reconcile and refresh, and every extra reconciler
spends Graph budget for nothing. `marksix scheduler` runs them instead, and
the workers run `--no-periodic`. "Exactly one" is held by a lease in the
database every process already shares: a PostgreSQL advisory lock on its
own connection (released by the server when the process dies, even by
SIGKILL), or, on SQLite, an exclusive lock on a file beside it. A second
scheduler waits for the lease and takes over when the first one goes.

    lease = SchedulerLease.for_engine(engine, home=home)
    run_scheduler(tasks, lease, stop=threading.Event())
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import structlog

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from marksix.autopilot.service import Autopilot
    from marksix.worker.queue import Tasks

log = structlog.get_logger("marksix.worker.scheduler")

#: pg_advisory_lock key: "marksix scheduler" (any fixed 64-bit number works; this one is ours).
ADVISORY_KEY = 0x6D61726B736978


class Lease(Protocol):
    def try_acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class PostgresLease:
    """A session-level advisory lock, held on one connection for as long as it lives."""

    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        from sqlalchemy import text

        if self._connection is not None:
            return True
        connection = self.engine.connect()
        try:
            got = bool(
                connection.execute(text("select pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            )
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self) -> bool:
        """Still ours: the connection answers (a restarted server has dropped the lock with it)."""
        from sqlalchemy import text

        if self._connection is None:
            return False
        try:
            self._connection.execute(text("select 1"))
            self._connection.commit()
        except Exception as problem:
            log.warning("scheduler_lease_lost", error=f"{type(problem).__name__}: {problem}")
            self._drop()
            return False
        return True

    def release(self) -> None:
        from sqlalchemy import text

        if self._connection is None:
            return
        try:
            self._connection.execute(text("select pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.commit()
        except Exception:  # noqa: S110 - the server is gone, and the lock with it
            pass
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # noqa: S110 - closing a dead connection may fail; it is gone either way
                pass
        self._connection = None


class FileLease:
    """An exclusive flock on a file; the kernel drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lease_for(engine: Engine, *, home: Path) -> Lease:
    """The advisory lock on PostgreSQL; a lock file in the data folder on SQLite."""
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine)
    return FileLease(home / "scheduler.lock")


@dataclass(frozen=True)
class Schedule:
    """Seconds between runs of each periodic job."""

    sweep: float = 60.0
    reconcile: float = 300.0
    refresh_tokens: float = 86_400.0
    #: How often a waiting scheduler asks for the lease again.
    retry_lease: float = 5.0


@dataclass(frozen=True)
class Job:
    """One periodic job: `run` every `every` seconds, or after the wait `every()` names then."""

    name: str
    run: Callable[[], Any]
    every: float | Callable[[], float]

    def wait(self) -> float:
        return float(self.every() if callable(self.every) else self.every)


def service_jobs(tasks: Tasks, schedule: Schedule) -> list[Job]:
    """The reply service's jobs. call_local runs the task body here, in the scheduler, not
    through the queue: the due comments it finds are what gets queued for the workers."""
    return [
        Job("sweep", tasks.sweep.call_local, schedule.sweep),
        Job("reconcile", tasks.reconcile.call_local, schedule.reconcile),
        Job("refresh_tokens", tasks.refresh_tokens.call_local, schedule.refresh_tokens),
    ]


def results_job(autopilot: Autopilot) -> Job:
    """The results poller as one of the scheduler's jobs: it catches up at once, then its
    own rules (autopilot/poller.py) say when to look again: the draw time, then back-off."""
    poller = autopilot.poller
    first = [True]

    def run() -> dict[str, int]:
        poller.on_tick(poller.clock())  # the record freezes at sales close
        added = poller.poll_once(force=first[0])
        first[0] = False
        return {"new_draws": added}

    return Job("results", run, lambda: poller.wait_seconds(poller.clock()))


def run_scheduler(
    tasks: Tasks,
    lease: Lease,
    *,
    stop: threading.Event,
    schedule: Schedule | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_run: Callable[[str, Any], None] | None = None,
    extra_jobs: Sequence[Job] = (),
) -> None:
    """Wait for the lease, then run each job on its interval until `stop` is set.

    The jobs are `service_jobs` and then `extra_jobs` (the results poller, the
    post schedule: see cli/scheduler.py, where the list is made). Every job
    runs once as soon as the lease is taken (whatever the last scheduler left
    due goes first). A failing job is logged and tried again at its next
    turn; a lost lease sends the scheduler back to waiting.
    """
    schedule = schedule or Schedule()
    jobs = [*service_jobs(tasks, schedule), *extra_jobs]
    try:
        while not stop.is_set():
            if not _wait_for_lease(lease, stop, schedule.retry_lease):
                return
            log.info("scheduler_lease_taken", pid=os.getpid())
            due: dict[str, float] = {job.name: clock() for job in jobs}
            while not stop.is_set() and lease.held():
                for job in jobs:
                    if clock() < due[job.name]:
                        continue
                    try:
                        result = job.run()
                    except Exception as problem:  # a locked or restarting database: next turn
                        log.warning(
                            "scheduled_job_failed", job=job.name, error=f"{type(problem).__name__}: {problem}"
                        )
                    else:
                        log.info("scheduled_job_ran", job=job.name, result=result)
                        if on_run is not None:
                            on_run(job.name, result)
                    due[job.name] = clock() + _safe_wait(job)
                step = min(due.values()) - clock()
                stop.wait(max(0.05, min(step, schedule.retry_lease)))
    finally:
        lease.release()


def _safe_wait(job: Job) -> float:
    try:
        return max(0.05, job.wait())
    except Exception as problem:  # a wait that cannot be worked out: try again in a minute
        log.warning("scheduled_job_wait_failed", job=job.name, error=f"{type(problem).__name__}: {problem}")
        return 60.0


def _wait_for_lease(lease: Lease, stop: threading.Event, retry: float) -> bool:
    waiting_logged = False
    while not stop.is_set():
        try:
            if lease.try_acquire():
                return True
        except Exception as problem:  # the database is restarting: keep asking
            log.warning("scheduler_lease_unavailable", error=f"{type(problem).__name__}: {problem}")
        if not waiting_logged:
            log.info("scheduler_waiting", reason="another scheduler holds the lease")
            waiting_logged = True
        stop.wait(retry)
    return False
