"""Huey wiring: the queue backend, the tasks, and workers in a thread or a process.

The embedded backend is SqliteHuey (a file under the data folder, no
server); with MARKSIX_REDIS_URL it is RedisHuey, and any number of worker
processes on any number of machines share it. The task code is the same.

Huey only carries "look at comment X of account A": the database decides
what that means (see `service.ReplyService`), so a lost, repeated or late
task can never cause a second reply.

    huey = make_huey(settings)
    tasks = register_tasks(huey, services)       # services: () -> WorkerServices
    tasks.submit(event)                          # one comment: store, queue, enqueue
    tasks.accept(events)                         # the webhook: many, one commit
    start_consumer(huey, workers=2, pull=tasks.puller())   # worker.consumer; or: marksix worker
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from huey import RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from marksix.errors import missing_extra
from marksix.paths import Locator
from marksix.store.comments import CommentKey, IncomingComment
from marksix.worker import metrics
from marksix.worker.service import OWN_COMMENT, is_ours

if TYPE_CHECKING:
    from marksix.config import Settings
    from marksix.worker.runtime import WorkerServices

log = structlog.get_logger("marksix.worker.queue")


def written_by_account(event: IncomingComment) -> bool:
    """`is_ours` on what the webhook alone shows; the other signs (the username, our reply
    ids) need the store, so those comments go to the worker, which checks them all."""
    return is_ours(event.account_id, author_id=event.from_id, is_self=bool(event.self_ig_scoped_id))


def make_huey(
    settings: Settings, *, home: Path | None = None, immediate: bool = False, name: str = "marksix"
) -> Any:
    """RedisHuey when `settings.redis_url` is set, else SqliteHuey in the data folder.

    Results are not stored: outcomes live in the comments table.
    """
    if settings.redis_url:
        if importlib.util.find_spec("redis") is None:
            raise missing_extra("redis", "redis")
        return RedisHuey(name, url=settings.redis_url, results=False, immediate=immediate)
    queue = Locator.resolve(home, None).queue_path if home is not None else settings.locator.queue_path
    queue.parent.mkdir(parents=True, exist_ok=True)
    huey = SqliteHuey(name, filename=str(queue), results=False, immediate=immediate)
    _commit_without_fsync(huey)
    return huey


def _commit_without_fsync(huey: Any) -> None:
    """Give the SQLite queue WAL's NORMAL sync level instead of SQLite's default FULL.

    FULL costs an fsync per enqueued task (about 10 ms on a VM disk), which
    would dominate the webhook. NORMAL still survives a crash of this process;
    only a power cut can lose the last tasks, and those are not lost for good:
    the comments table is the truth and the sweeper enqueues what a lost task
    leaves behind. SqliteStorage keeps one shared connection, so the pragma holds.
    """
    if isinstance(huey.storage, SqliteStorage):  # immediate mode swaps in memory storage
        huey.storage.sql("pragma synchronous=NORMAL")


@dataclass
class Tasks:
    """The registered tasks of one Huey instance, and the calls the web layer needs."""

    huey: Any
    process_comment: Any
    sweep: Any
    reconcile: Any
    refresh_tokens: Any
    services: Callable[[], WorkerServices]

    def enqueue(self, key: CommentKey) -> None:
        """Queue the comment's row and send its task now (the sweeper's, reconciler's and resume's way)."""
        services = self.services()
        services.comments.queue(key, now=services.clock())
        self.send_task(key, 0.0)

    def send_task(self, key: CommentKey, delay: float) -> None:
        try:
            if delay > 0:
                self.process_comment.schedule(args=(key.account_id, key.comment_id), delay=delay)
            else:
                self.process_comment(key.account_id, key.comment_id)
        except Exception as error:  # e.g. Redis unreachable: the row is queued, the sweeper re-sends it
            log.warning(
                "enqueue_failed",
                account_id=key.account_id,
                comment_id=key.comment_id,
                error=f"{type(error).__name__}: {error}",
            )

    def submit(self, event: IncomingComment, *, source: str = "webhook") -> bool:
        """Store a comment and queue it; False (and nothing queued) for a duplicate.

        The row is stored already queued (one transaction), then the task is
        sent. The account's own comments, our replies coming back among them,
        are stored as skipped at once: no task, no worker.
        """
        services = self.services()
        now = services.clock()
        if written_by_account(event):
            if not services.comments.record(event, now=now, source=source, skipped=OWN_COMMENT):
                return False
            metrics.COMMENTS_RECEIVED.labels(source).inc()
            metrics.COMMENTS_SKIPPED.labels(OWN_COMMENT[0]).inc()
            return True
        if not services.comments.record(event, now=now, source=source, queued=True):
            return False
        metrics.COMMENTS_RECEIVED.labels(source).inc()
        self.send_task(CommentKey(event.account_id, event.comment_id), 0.0)
        return True

    @property
    def table_queue(self) -> bool:
        """True with the SQLite queue: the comments table is then the queue itself.

        A webhook's comments are stored queued, and workers claim them from
        the table (`pull`), so a delivery costs one commit instead of two
        (the row, then a task in queue.sqlite3). Huey still carries retries,
        the sweeper's re-sends and the periodic jobs. With Redis the task
        push is cheap and reaches workers on other machines, so it is sent.
        """
        return isinstance(self.huey.storage, SqliteStorage)

    def accept(self, events: Sequence[IncomingComment], *, source: str = "webhook") -> list[bool]:
        """Store many comments in one transaction (the webhook's group commit); each one's newness.

        The account's own comments are stored skipped; the others queued, and
        their tasks sent unless the table is the queue (`table_queue`); the
        caller then wakes the workers.
        """
        services = self.services()
        new = services.comments.record_many(events, now=services.clock(), source=source, skipped=_own_comment)
        self._accepted(events, new, source, send=not self.table_queue)
        return new

    def accept_now(self, events: Sequence[IncomingComment], *, source: str = "webhook") -> list[bool] | None:
        """`accept` if it can be done at once, on the event loop; None (nothing stored) if not.

        Only with the table as the queue: a task sent to Redis could wait on the network.
        """
        if not self.table_queue:
            return None
        services = self.services()
        new = services.comments.record_many_now(
            events, now=services.clock(), source=source, skipped=_own_comment
        )
        if new is not None:
            self._accepted(events, new, source, send=False)
        return new

    def _accepted(
        self, events: Sequence[IncomingComment], new: Sequence[bool], source: str, *, send: bool
    ) -> None:
        received = own = 0
        for event, is_new in zip(events, new, strict=True):
            if not is_new:
                continue
            received += 1
            if written_by_account(event):
                own += 1
            elif send:
                self.send_task(CommentKey(event.account_id, event.comment_id), 0.0)
        if received:
            metrics.COMMENTS_RECEIVED.labels(source).inc(received)
        if own:
            metrics.COMMENTS_SKIPPED.labels(OWN_COMMENT[0]).inc(own)

    def pull(self) -> bool:
        """Handle the oldest due comment in the table, if any (the workers' side of `table_queue`).

        A retry needs no task: its row is queued with `not_before`, and a pull finds it then.
        """
        return self.services().replies.handle_next() is not None

    def puller(self) -> Callable[[], bool] | None:
        """What a consumer calls when Huey's queue is empty: `pull` with the table as the queue."""
        return self.pull if self.table_queue else None

    def resume(self, account_id: str) -> int:
        """Queue an account's waiting comments now (after a new token or an unblock)."""
        keys = self.services().comments.waiting(account_id)
        for key in keys:
            self.enqueue(key)
        return len(keys)


def _own_comment(event: IncomingComment) -> tuple[str, str] | None:
    return OWN_COMMENT if written_by_account(event) else None


def register_tasks(
    huey: Any,
    services: Callable[[], WorkerServices],
    *,
    sweep_schedule: Any = None,
    reconcile_schedule: Any = None,
) -> Tasks:
    """Register process_comment and the periodic tasks: sweep (every minute), reconcile
    (every 5 minutes) and refresh_tokens (daily, 03:17 UTC)."""
    holder: list[Tasks] = []

    def process_comment(account_id: str, comment_id: str) -> str:
        outcome = services().replies.handle(CommentKey(account_id, comment_id))
        if outcome.wants_retry and outcome.retry_at is not None:
            # The row is queued for retry_at already (one statement, `release`): only the task is sent.
            delay = (outcome.retry_at - services().clock()).total_seconds()
            holder[0].send_task(CommentKey(account_id, comment_id), delay)
        return str(outcome.state)

    def sweep() -> dict[str, object]:
        result = services().sweeper.sweep()
        for key in result.due:
            holder[0].enqueue(key)
        return result.to_json()

    def reconcile() -> dict[str, object]:
        result = services().reconciler.reconcile()
        for key in result.found:
            holder[0].enqueue(key)
        return result.to_json()

    def refresh_tokens() -> dict[str, Any]:
        refresher = services().tokens
        return refresher.refresh().to_json() if refresher is not None else {"refreshed": 0, "problems": []}

    tasks = Tasks(
        huey=huey,
        process_comment=huey.task()(process_comment),
        sweep=huey.periodic_task(sweep_schedule or crontab(minute="*"))(sweep),
        reconcile=huey.periodic_task(reconcile_schedule or crontab(minute="*/5"))(reconcile),
        refresh_tokens=huey.periodic_task(crontab(minute="17", hour="3"))(refresh_tokens),
        services=services,
    )
    holder.append(tasks)
    return tasks


def lazy(factory: Callable[[], WorkerServices]) -> Callable[[], WorkerServices]:
    """Build the services once, on first use, in whichever process runs the tasks."""
    lock = threading.Lock()
    built: list[WorkerServices] = []

    def get() -> WorkerServices:
        if not built:
            with lock:
                if not built:
                    built.append(factory())
        return built[0]

    return get
