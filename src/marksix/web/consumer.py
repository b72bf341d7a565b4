"""Huey's consumer for the server's own worker threads, woken by the webhook.

With the SQLite queue an idle Huey worker polls, backing off to half a
second between looks; the first comment after a quiet spell would wait for
that. Here the webhook route, which enqueues in this same process, also
sets an event that wakes idle workers at once. Tasks from elsewhere (the
scheduler's retries, another process) are still found by polling.
"""

from __future__ import annotations

import threading
from typing import Any

import structlog
from huey.consumer import Consumer, Worker

from marksix.worker.queue import EmbeddedWorker

log = structlog.get_logger("marksix.web.consumer")

INITIAL_DELAY = 0.05
MAX_DELAY = 0.5


class _WakeableWorker(Worker):  # type: ignore[misc]
    delay: float
    default_delay: float
    max_delay: float
    backoff: float

    def __init__(self, *args: Any, wake: threading.Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake = wake

    def sleep(self) -> None:
        delay: float = min(self.delay, self.max_delay)
        if self._wake.wait(delay):
            self._wake.clear()
            self.delay = self.default_delay
        else:
            self.delay = min(delay * self.backoff, self.max_delay)


class _WakeableConsumer(Consumer):  # type: ignore[misc]
    def __init__(self, huey: Any, wake: threading.Event, **options: Any) -> None:
        self._wake = wake  # before super().__init__, which creates the workers
        super().__init__(huey, **options)

    def _create_worker(self) -> Worker:
        return _WakeableWorker(
            huey=self.huey,
            stop_flag=self.stop_flag,
            default_delay=self.default_delay,
            max_delay=self.max_delay,
            backoff=self.backoff,
            max_tasks=self.max_tasks,
            wake=self._wake,
        )

    def _set_signal_handlers(self) -> None:
        pass  # the host (uvicorn) owns the signals


def start_workers(huey: Any, wake: threading.Event, *, workers: int) -> EmbeddedWorker:
    """Worker threads plus Huey's scheduler (delayed retries, periodic sweeps); `.stop()` them."""
    consumer = _WakeableConsumer(
        huey,
        wake,
        workers=workers,
        periodic=True,
        worker_type="thread",
        initial_delay=INITIAL_DELAY,
        max_delay=MAX_DELAY,
        check_worker_health=False,
    )
    consumer.start()
    log.info("worker_started", workers=workers, backend=type(huey).__name__)
    return EmbeddedWorker(consumer)
