"""Prometheus metrics of the reply pipeline; the web app serves them at /metrics.

They live in prometheus-client's default registry, so any process that runs
workers (the server with in-process workers, or `python -m marksix.worker`)
exposes its own counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

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
ACCOUNT_BLOCKS = Counter("marksix_account_blocks", "Accounts stopped by a token or policy block", ["reason"])
REPLY_LATENCY = Histogram(
    "marksix_reply_latency_seconds",
    "From receiving a comment to its reply being posted",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600),
)


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
