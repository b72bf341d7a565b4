"""The sweeper: nothing stays stuck, whatever died.

Run every minute. It takes back comments whose worker stopped renewing its
lease (crash, kill, lost connection) and counts that as an attempt; the
next attempt looks for our own reply first, because the dead worker may
have posted it. It also lists comments that should be in Huey's queue but
may not be (the enqueue failed, the queue was wiped, a block was lifted),
for the task layer to enqueue again; a duplicate task is harmless because
only one can claim the comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker import metrics
from marksix.worker.limits import Limits
from marksix.worker.service import Clock, utc_now

log = structlog.get_logger("marksix.worker.sweeper")


@dataclass(frozen=True)
class SweepResult:
    requeued: int = 0  # taken back from dead workers
    failed: int = 0  # taken back, but out of attempts
    due: list[CommentKey] = field(default_factory=list)  # to (re-)enqueue

    def to_json(self) -> dict[str, object]:
        return {"requeued": self.requeued, "failed": self.failed, "due": len(self.due)}


class Sweeper:
    def __init__(
        self,
        comments: CommentRepository,
        *,
        limits: Limits | None = None,
        clock: Clock = utc_now,
        requeue_after: timedelta = timedelta(minutes=2),
    ) -> None:
        self.comments = comments
        self.limits = limits or Limits()
        self.clock = clock
        self.requeue_after = requeue_after

    def sweep(self) -> SweepResult:
        now = self.clock()
        requeued = failed = 0
        for record in self.comments.stale_in_progress(now):
            state = self.comments.reclaim(record, now=now, max_attempts=self.limits.max_attempts)
            if state is None:
                continue  # the worker finished after all
            final = state == "failed"
            failed += final
            requeued += not final
            metrics.REPLY_FAILURES.labels("worker_lost", "yes" if final else "no").inc()
            log.warning(
                "comment_reclaimed", account_id=record.account_id, comment_id=record.comment_id, state=state
            )
        due = self.comments.due(now=now, enqueued_before=now - self.requeue_after)
        self.comments.prune_sends(now - timedelta(days=1))
        return SweepResult(requeued, failed, due)
