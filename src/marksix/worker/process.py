"""The server's reply worker in a child process, woken by the webhook through a pipe.

One Python process runs one thread at a time. With the web server, the
webhook route, the sandbox's simulated Instagram and the reply workers in
one process, they queue for the same interpreter lock and the server
saturates on one core. In a child process the workers get a core of their
own; everything else stays as it is in-process: the same queue and store,
the same worker wiring (`build.build_worker`), and idle workers woken at
once, here by a byte down a pipe instead of an in-process event.

The parent owns the child's lifetime. Ctrl-C reaches both (one process
group), so the child ignores it and waits for the parent to close the
pipe: it then lets running replies finish and exits. If the parent dies,
the pipe closes too, so no worker outlives its server.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from pathlib import Path

    from marksix.config import Settings
    from marksix.worker.build import BuiltWorker, WorkerOptions

log = structlog.get_logger("marksix.worker.process")

#: How long the parent waits for running replies when it stops the child.
STOP_SECONDS = 10.0


class WorkerProcess:
    """A child process running `threads` reply workers; `.wake()`, `.stop()`."""

    def __init__(
        self, settings: Settings, options: WorkerOptions, *, threads: int, metrics_folder: Path | None = None
    ) -> None:
        # spawn, not fork: the parent has threads (uvicorn, the simulator's sender) and locks.
        context = multiprocessing.get_context("spawn")
        reader, self._writer = context.Pipe(duplex=False)
        # And one back: the child says "warm" once its first reply will be quick.
        self._warm_reader, warm_writer = context.Pipe(duplex=False)
        self._warm = False
        self._process = context.Process(
            target=run_child,
            args=(settings, options, threads, reader, warm_writer),
            kwargs={"metrics_folder": metrics_folder},
            name="marksix-worker",
            daemon=True,
        )
        self._process.start()
        reader.close()
        warm_writer.close()
        os.set_blocking(self._writer.fileno(), False)
        self._lock = threading.Lock()
        self._closed = False
        log.info("worker_process_started", pid=self._process.pid, workers=threads)

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def warm(self) -> bool:
        """True once the child has warmed up (`build.warm_up`); never blocks."""
        with self._lock:
            if not self._warm and not self._closed:
                try:
                    self._warm = self._warm_reader.poll() and self._warm_reader.recv_bytes() == b"warm"
                except (EOFError, OSError):  # the child died first: health shows it not running
                    return False
            return self._warm

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def wake(self) -> None:
        """Tell idle workers there is work; never blocks the webhook."""
        with self._lock:
            if self._closed:
                return
            try:
                os.write(self._writer.fileno(), b"\x01")
            except BlockingIOError:
                pass  # the pipe is full of wake-ups the child has not read: it is awake anyway
            except OSError as problem:  # the child is gone; health reports it
                log.warning("worker_process_unreachable", error=str(problem))

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Close the pipe (running replies finish), wait, and end the child if it hangs."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
            self._warm_reader.close()
        self._process.join(timeout)
        if self._process.is_alive():
            log.warning("worker_process_killed", pid=self._process.pid, waited=timeout)
            self._process.terminate()
            self._process.join(5)
        log.info("worker_process_stopped", pid=self._process.pid, exitcode=self._process.exitcode)


def run_child(
    settings: Settings,
    options: WorkerOptions,
    threads: int,
    wake_pipe: Connection,
    warm_pipe: Connection,
    *,
    metrics_folder: Path | None = None,
) -> None:
    """The child: the same worker wiring as the in-process one, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us by closing the pipe
    import logging

    from marksix.worker import metrics

    if metrics_folder is not None:  # first: the counters must be made for the files
        metrics.count_in_files(metrics_folder, clean=False)

    from marksix.logging_setup import configure_logging
    from marksix.worker.build import build_worker
    from marksix.worker.consumer import start_consumer

    configure_logging()
    for name in ("huey", "httpx", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    worker = build_worker(settings, options)
    running = start_consumer(worker.huey, workers=max(1, threads), pull=worker.tasks.puller())
    threading.Thread(
        target=_warm_up_and_say_so, args=(worker, warm_pipe), name="marksix-warm-up", daemon=True
    ).start()
    try:
        _relay_wake_ups(wake_pipe.fileno(), running.wake)
    finally:
        running.stop()
        worker.close()


def _warm_up_and_say_so(worker: BuiltWorker, warm_pipe: Connection) -> None:
    from marksix.worker.build import warm_up

    warm_up(worker)
    try:
        warm_pipe.send_bytes(b"warm")
    except OSError:  # the parent is gone; the wake pipe ends us
        pass
    finally:
        warm_pipe.close()


def _relay_wake_ups(descriptor: int, wake: threading.Event) -> None:
    while True:
        try:
            data = os.read(descriptor, 4096)
        except InterruptedError:
            continue
        if not data:  # the parent closed the pipe, or died
            return
        wake.set()
