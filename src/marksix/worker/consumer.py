"""The one Huey consumer: worker threads plus the scheduler, woken at once when work arrives.

With the SQLite queue an idle Huey worker polls, backing off to half a
second between looks; the first comment after a quiet spell would wait for
that. Whoever enqueues in this process (the webhook route) or signals it
through a pipe (the server's worker process) sets `wake`, and idle workers
look at the queue at once. Tasks from elsewhere (the scheduler's retries,
another process) are still found by polling.

With the SQLite queue the comments table is the queue for new comments
(see `queue.Tasks.table_queue`): when Huey's queue is empty, a worker
claims the oldest due comment from the table (`pull`) before it sleeps.

    worker = start_consumer(huey, workers=4, pull=tasks.puller())   # threads in this process
    worker.wake.set(); ...; worker.stop()
    run_consumer(huey, workers=4, pull=tasks.puller())  # `marksix worker`: blocks, owns signals
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import structlog
from huey.consumer import Consumer, Worker

log = structlog.get_logger("marksix.worker.consumer")

#: Takes one comment from the comments table and handles it; False when none was due.
Pull = Callable[[], bool]

INITIAL_DELAY = 0.05
MAX_DELAY = 0.5


class _WakeableWorker(Worker):  # type: ignore[misc]
    delay: float
    default_delay: float
    max_delay: float
    backoff: float

    def __init__(self, *args: Any, wake: threading.Event, pull: Pull | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake = wake
        self._pull = pull

    def sleep(self) -> None:
        # Huey's queue is empty: take a comment from the table first, if it is the queue.
        if self._pull is not None and self._pulled():
            self.delay = self.default_delay
            return
        delay: float = min(self.delay, self.max_delay)
        if self._wake.wait(delay):
            self._wake.clear()
            self.delay = self.default_delay
        else:
            self.delay = min(delay * self.backoff, self.max_delay)

    def _pulled(self) -> bool:
        assert self._pull is not None
        try:
            return self._pull()
        except Exception:  # a locked database now must not stop the worker
            log.exception("pull_failed")
            return False


class _ReplyConsumer(Consumer):  # type: ignore[misc]
    def __init__(
        self, huey: Any, wake: threading.Event, *, owns_signals: bool, pull: Pull | None, **options: Any
    ) -> None:
        # Huey builds its workers from `worker_class` in __init__, so set it first.
        self.worker_class = functools.partial(_WakeableWorker, wake=wake, pull=pull)
        self._owns_signals = owns_signals
        super().__init__(huey, **options)

    def _set_signal_handlers(self) -> None:
        if self._owns_signals:  # otherwise the host (uvicorn, a test) owns them
            super()._set_signal_handlers()


def _consumer(
    huey: Any, wake: threading.Event, *, workers: int, periodic: bool, owns_signals: bool, pull: Pull | None
) -> Any:
    return _ReplyConsumer(
        huey,
        wake,
        owns_signals=owns_signals,
        pull=pull,
        workers=workers,
        periodic=periodic,
        worker_type="thread",
        initial_delay=INITIAL_DELAY,
        max_delay=MAX_DELAY,
        # A hosted consumer is watched by its host (health, the server's child process).
        check_worker_health=owns_signals,
    )


class EmbeddedWorker:
    """Huey worker threads (and the scheduler) running inside this process."""

    def __init__(self, consumer: Any, wake: threading.Event) -> None:
        self._consumer = consumer
        self.wake = wake
        self._stopped = False

    def stop(self) -> None:
        """Let running tasks finish, then stop the threads."""
        if self._stopped:
            return
        self._stopped = True
        self._consumer.stop(graceful=True)

    @property
    def alive(self) -> bool:
        """True while any worker or scheduler thread still runs."""
        threads = [thread for _, thread in self._consumer.worker_threads] + [self._consumer.scheduler]
        return any(thread.is_alive() for thread in threads)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def start_consumer(
    huey: Any,
    *,
    workers: int = 2,
    periodic: bool = True,
    wake: threading.Event | None = None,
    pull: Pull | None = None,
) -> EmbeddedWorker:
    """Start `workers` worker threads plus Huey's scheduler in this process; `.stop()` them.

    `pull` (`Tasks.puller()`) takes work from the comments table when Huey's queue is empty.
    """
    wake = wake or threading.Event()
    consumer = _consumer(huey, wake, workers=workers, periodic=periodic, owns_signals=False, pull=pull)
    consumer.start()
    log.info("worker_started", workers=workers, backend=type(huey).__name__)
    return EmbeddedWorker(consumer, wake)


def run_consumer(huey: Any, *, workers: int, periodic: bool, pull: Pull | None = None) -> None:
    """Run the consumer in the foreground until SIGINT (graceful) or SIGTERM."""
    log.info("worker_started", workers=workers, backend=type(huey).__name__)
    consumer = _consumer(
        huey, threading.Event(), workers=workers, periodic=periodic, owns_signals=True, pull=pull
    )
    consumer.run()
