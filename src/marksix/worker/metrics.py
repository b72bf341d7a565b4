"""Prometheus metrics of the reply pipeline; the web app serves them at /metrics.

They live in prometheus-client's default registry. `marksix serve` runs its
reply workers in a child process, whose counts the web process cannot see
in memory: `count_in_files(folder)` switches every process that calls it
(the server, then its child) to prometheus-client's multiprocess mode, in
which each process writes its values to files in the folder, and `scrape()`
adds them up with `MultiProcessCollector`.

Scaled out, a `marksix worker` or `marksix scheduler` may run on another
machine; each serves its own counters (`serve_metrics`, `--metrics-port`)
for Prometheus to scrape beside the web processes', which is how
Prometheus expects separate processes to be counted.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

#: prometheus-client finds the folder of its files through this variable, in every process.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _define() -> None:
    """Create the metrics (again, after the storage of their values changed).

    prometheus-client picks where a metric keeps its values when the metric
    is created, so switching to files means creating them anew; callers use
    `metrics.NAME` at the time they count, so they pick up the new ones.
    """
    global COMMENTS_RECEIVED, REPLIES_SENT, COMMENTS_SKIPPED  # noqa: PLW0603
    global REPLY_FAILURES, ACCOUNT_BLOCKS, REPLY_LATENCY  # noqa: PLW0603
    for existing in _defined:
        REGISTRY.unregister(existing)
    COMMENTS_RECEIVED = Counter(
        "marksix_comments_received", "New comments stored, by where they came from", ["source"]
    )
    REPLIES_SENT = Counter("marksix_replies_sent", "Replies posted, public or private", ["kind"])
    COMMENTS_SKIPPED = Counter("marksix_comments_skipped", "Comments deliberately not answered", ["reason"])
    REPLY_FAILURES = Counter(
        "marksix_reply_failures",
        "Failed attempts by class (retried ones included; final failures have final=yes)",
        ["failure_class", "final"],
    )
    ACCOUNT_BLOCKS = Counter(
        "marksix_account_blocks", "Accounts stopped by a token or policy block", ["reason"]
    )
    REPLY_LATENCY = Histogram(
        "marksix_reply_latency_seconds",
        "From receiving a comment to its reply being posted",
        buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600),
    )
    _defined[:] = [
        COMMENTS_RECEIVED,
        REPLIES_SENT,
        COMMENTS_SKIPPED,
        REPLY_FAILURES,
        ACCOUNT_BLOCKS,
        REPLY_LATENCY,
    ]


_defined: list[Collector] = []
COMMENTS_RECEIVED: Counter
REPLIES_SENT: Counter
COMMENTS_SKIPPED: Counter
REPLY_FAILURES: Counter
ACCOUNT_BLOCKS: Counter
REPLY_LATENCY: Histogram
_define()
_shared: list[Path] = []  # the folder of the files, while counting in files


def count_in_files(folder: Path, *, clean: bool) -> None:
    """Count in files under `folder` from now on, so that processes sharing it add up.

    The server calls it with `clean=True` before it starts its worker child
    (counts of an earlier run must not carry over), the child with `clean=False`.
    The variable is set as well: prometheus-client reads it, and child processes inherit it.
    """
    if clean and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    _shared[:] = [folder]
    _define()


def count_in_memory() -> None:
    """Back to this process's own counters (after a server that counted in files stops)."""
    if not _shared:
        return
    _shared.clear()
    os.environ.pop(MULTIPROC_ENV, None)
    values.ValueClass = values.MutexValue
    _define()


def scrape() -> bytes:
    """The Prometheus text of the counters: of every process sharing the folder, or this one's."""
    if not _shared:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(_shared[0]))  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def serve_metrics(port: int, host: str = "127.0.0.1") -> int:
    """Serve `scrape()` at http://host:port/metrics from a daemon thread; the port it listens on.

    For the processes without a web server of their own (workers, the
    scheduler). Port 0 picks a free one. Loopback by default: the numbers
    are not secret, but nothing should listen on every interface unasked.
    """
    from marksix.errors import ConfigError

    try:
        server, _thread = start_http_server(port, addr=host, registry=_Scraped())
    except OSError as error:
        raise ConfigError(f"cannot serve metrics on {host}:{port}: {error.strerror or error}") from None
    return int(server.server_port)


def start_metrics(port: int, host: str) -> None:
    """`serve_metrics` for a command's `--metrics-port`, saying where in the log."""
    import structlog

    bound = serve_metrics(port, host)
    structlog.get_logger("marksix.worker.metrics").info(
        "metrics_serving", url=f"http://{host}:{bound}/metrics"
    )


class _Scraped(Collector):
    """What `scrape()` reads (this process's counters, or the shared files'), as a collector."""

    def collect(self) -> Iterator[Metric]:
        if not _shared:
            yield from REGISTRY.collect()
            return
        yield from MultiProcessCollector(None, path=str(_shared[0])).collect()  # type: ignore[no-untyped-call]


class QueueDepthCollector(Collector):
    """A gauge of comments per state, read from the database at scrape time."""

    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("marksix_comments", "Comments by state (queue depth)", labels=["state"])
        for state, count in self._counts().items():
            family.add_metric([state], count)
        yield family


def register_queue_depth(
    counts: Callable[[], Mapping[str, int]], registry: CollectorRegistry = REGISTRY
) -> QueueDepthCollector:
    """Expose `counts()` (e.g. CommentRepository.counts_by_state) as marksix_comments{state}."""
    collector = QueueDepthCollector(counts)
    registry.register(collector)
    return collector
