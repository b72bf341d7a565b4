"""`build_worker(settings, options)`: the reply worker, wired the same way for every entry point.

`marksix worker`, `marksix serve` and the server's worker process all call
it, so every worker has the same store (with the cross-process write lock),
the same reused Graph clients, the same replies over one held draw archive,
the same sweeper and the same queue. What differs between them is only in `WorkerOptions`.

    worker = build_worker(settings, WorkerOptions(sandbox=sandbox_mode(settings)))
    worker.tasks.submit(event)          # the webhook's side
    running = start_consumer(worker.huey, workers=4)
    ...
    running.stop(); worker.close()
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from marksix.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from marksix.store.accounts import AccountRepository
    from marksix.store.comments import CommentRepository
    from marksix.worker.limits import Limits
    from marksix.worker.queue import Tasks
    from marksix.worker.reuse import ReusedGraphClients
    from marksix.worker.runtime import LanguageReplies, WorkerServices


def sandbox_mode(settings: Settings, *, requested: bool = False) -> bool:
    """The sandbox runs when asked for, and whenever no Instagram account is configured."""
    return requested or not settings.instagram_configured


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs, as opposed to what it serves (that is Settings)."""

    #: The simulated Instagram: a generated encryption key is accepted.
    sandbox: bool = False
    #: Retry, lease and throttle timings; None for the defaults from Settings.
    limits: Limits | None = None
    #: How long a queued comment may sit without a task before the sweeper enqueues it again.
    requeue_after: timedelta = timedelta(minutes=2)


@dataclass
class BuiltWorker:
    """The store, the clients and the registered tasks of one worker; `close()` releases them."""

    engine: Engine
    comments: CommentRepository
    accounts: AccountRepository
    graph_clients: ReusedGraphClients
    replies: LanguageReplies
    services: WorkerServices
    huey: Any
    tasks: Tasks

    def close(self) -> None:
        self.graph_clients.close()
        self.replies.close()
        self.comments.close()
        self.engine.dispose()


def build_worker(settings: Settings, options: WorkerOptions) -> BuiltWorker:
    """Open (and migrate) the store, and wire clients, replies, services, queue and tasks."""
    from marksix.worker.queue import make_huey, register_tasks
    from marksix.worker.reuse import ReusedGraphClients
    from marksix.worker.runtime import LanguageReplies, build_services, open_store, settings_home

    home = settings_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    engine, comments, accounts = open_store(settings, sandbox=options.sandbox)
    graph_clients = ReusedGraphClients(settings, accounts)
    replies = LanguageReplies(settings)
    services = build_services(
        settings,
        comments,
        accounts,
        graph_for=graph_clients,
        reply_for=replies,
        limits=options.limits,
        requeue_after=options.requeue_after,
    )
    huey = make_huey(settings)
    tasks = register_tasks(huey, lambda: services)
    return BuiltWorker(
        engine=engine,
        comments=comments,
        accounts=accounts,
        graph_clients=graph_clients,
        replies=replies,
        services=services,
        huey=huey,
        tasks=tasks,
    )


def warm_up(worker: BuiltWorker) -> None:
    """Do once, before the first comment, what the first reply would otherwise pay for.

    The draw history and reply context of each account, the language layer's
    imports, rules and classifier (one reply composed and thrown away), the
    Graph client, and the database's connections. It takes a second or two;
    `/healthz` says ready only after it (see `Runtime.ready`).
    """
    import structlog

    from marksix.language import Comment, respond

    try:
        for account in worker.accounts.all():
            context = worker.replies.context(account)
            respond(Comment(text="俾組號碼我", username="warm_up", comment_id="warm-up"), context)
            if account.has_token:
                worker.graph_clients(account)
        worker.comments.counts_by_state()
    except Exception as problem:  # the first reply will report it properly
        structlog.get_logger("marksix.worker").warning(
            "warm_up_failed", error=f"{type(problem).__name__}: {problem}"
        )
