"""Build the worker's pieces from Settings: engine, repositories, Graph clients, replies.

Everything ReplyService needs is injected; this module builds the real
ones, and `worker.build.build_worker` puts them together for every entry
point. Tests pass their own `graph_for`, `reply_for`, limits and clock.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from marksix.config import Settings
from marksix.errors import ConfigError
from marksix.store.accounts import Account, AccountRepository, load_cipher
from marksix.store.comments import CommentRecord, CommentRepository
from marksix.worker.limits import Limits, base_limits
from marksix.worker.reconcile import Reconciler
from marksix.worker.service import Clock, GraphApi, GraphFor, ReplyFor, ReplyLike, ReplyService, utc_now
from marksix.worker.sweeper import Sweeper
from marksix.worker.tokens import TokenRefresher


@dataclass
class WorkerServices:
    comments: CommentRepository
    accounts: AccountRepository
    replies: ReplyService
    sweeper: Sweeper
    reconciler: Reconciler
    clock: Clock
    tokens: TokenRefresher | None = None


def settings_home(settings: Settings) -> Path:
    return settings.locator.home


def open_store(settings: Settings, *, sandbox: bool) -> tuple[Engine, CommentRepository, AccountRepository]:
    """The migrated database and both repositories (tokens need the encryption key)."""
    from marksix.store.engine import make_engine, upgrade
    from marksix.store.sqlite_lock import serialise_transactions

    home = settings_home(settings)
    engine = make_engine(settings.locator.database_url)
    upgrade(engine)
    # Every process of the service hands SQLite's write lock over through
    # one lock file instead of sleeping in SQLite's busy handler.
    serialise_transactions(engine)
    cipher = load_cipher(home, settings.encryption_key, sandbox=sandbox)
    comments = CommentRepository(engine, fsync_each=settings.webhook_fsync == "each")
    return engine, comments, AccountRepository(engine, cipher)


def build_services(
    settings: Settings,
    comments: CommentRepository,
    accounts: AccountRepository,
    *,
    graph_for: GraphFor | None = None,
    reply_for: ReplyFor | None = None,
    limits: Limits | None = None,
    clock: Clock = utc_now,
    requeue_after: timedelta = timedelta(minutes=2),
) -> WorkerServices:
    limits = limits or base_limits(
        commenter_cooldown_seconds=settings.commenter_cooldown_seconds,
        post_reply_cap=settings.post_reply_cap,
        lease_seconds=settings.worker_lease_seconds,
        retry_base_seconds=settings.retry_base_seconds,
        policy_backoff_seconds=settings.policy_backoff_seconds,
    )
    graph_for = graph_for or GraphClients(settings, accounts)
    reply_for = reply_for or LanguageReplies(settings, clock=clock)
    return WorkerServices(
        comments=comments,
        accounts=accounts,
        replies=ReplyService(
            comments, accounts, graph_for=graph_for, reply_for=reply_for, limits=limits, clock=clock
        ),
        sweeper=Sweeper(comments, limits=limits, clock=clock, requeue_after=requeue_after),
        reconciler=Reconciler(comments, accounts, graph_for=graph_for, limits=limits, clock=clock),
        clock=clock,
        tokens=TokenRefresher(
            accounts,
            graph_for=graph_for,
            clock=clock,
            refresh_unknown="instagram" in settings.graph_host,
        ),
    )


def ensure_configured_account(
    settings: Settings, accounts: AccountRepository, *, now: datetime
) -> Account | None:
    """Import the account given in settings (MARKSIX_IG_*) once per token.

    The environment's token is imported when it is new to us, recognised by a
    fingerprint kept in the account's settings, never by comparing it with
    the stored token: that one may be newer (refreshed), and a restart must
    not put the old one back. Its expiry is not known yet, so it is stored
    without one and the token refresher asks Meta on its next run. Restarting
    with the same token also leaves a block it caused in place.
    """
    if not settings.instagram_configured or settings.ig_access_token is None or settings.ig_user_id is None:
        return None
    token = settings.ig_access_token
    fingerprint = hashlib.sha256(token.get_secret_value().encode()).hexdigest()[:32]
    existing = accounts.find(settings.ig_user_id)
    username = settings.ig_username or (existing.username if existing else settings.ig_user_id)
    stored_settings = dict(existing.settings) if existing else {}
    if existing is not None and existing.has_token and stored_settings.get(IMPORTED_TOKEN_KEY) == fingerprint:
        return accounts.save(settings.ig_user_id, username, now=now)
    stored_settings[IMPORTED_TOKEN_KEY] = fingerprint
    return accounts.save(settings.ig_user_id, username, now=now, token=token, settings=stored_settings)


#: Account setting: the fingerprint of the environment token last imported.
IMPORTED_TOKEN_KEY = "imported_env_token"  # noqa: S105 - a settings key, not a secret


class GraphClients:
    """One GraphClient per account and token; `graph_base_url` in an account's settings
    points it elsewhere (the sandbox simulator)."""

    def __init__(self, settings: Settings, accounts: AccountRepository, *, transport: Any = None) -> None:
        self.settings = settings
        self.accounts = accounts
        self.transport = transport
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, account: Account) -> GraphApi:
        from marksix.instagram.graph import GraphClient

        token = self.accounts.token(account.id)
        if token is None:
            raise ConfigError(f"no access token stored for @{account.username}")
        plain = token.get_secret_value()
        base_url = account.settings.get("graph_base_url")
        fingerprint = hashlib.sha256(f"{plain}|{base_url}".encode()).hexdigest()
        with self._lock:
            client = self._clients.get((account.id, fingerprint))
            if client is None:
                for stale in [key for key in self._clients if key[0] == account.id]:
                    self._clients.pop(stale).close()  # a new token or address replaces it
                client = GraphClient(
                    plain,
                    host=self.settings.graph_host,
                    api_version=self.settings.graph_api_version,
                    base_url=str(base_url) if base_url else None,
                    transport=self.transport,
                )
                self._clients[(account.id, fingerprint)] = client
        return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


class LanguageReplies:
    """reply_for(comment, account): the language layer's template reply, optionally
    rephrased by the LLM behind its numeric firewall.

    It holds one draw archive for its life. Each reply builds its context
    from it: the archive checks on its held connection whether draws or prize
    figures were stored (by the poller, `draws update`, another process) and
    reads again only then, so new results and the next draw after 21:15 reach
    the replies without a restart and without a time-based cache."""

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        from marksix.draws.archive import DrawArchive

        self.settings = settings
        self.clock = clock
        self.archive = DrawArchive(settings.locator)

    def context(self, account: Account) -> Any:
        from marksix.draws.popularity_model import shipped_model
        from marksix.language import ReplyContext
        from marksix.llm import reader_from_settings

        # The LLM may help read an unclear comment where it may reword (the same switch).
        wanted = bool(account.settings.get("llm_enabled", True))
        secret = account.settings.get("reply_secret") or self.settings.reply_secret.get_secret_value()
        now = self.clock()
        reading = self.archive.reading(now)
        return ReplyContext(
            history=reading.history,
            prizes=reading.prizes,
            next_draw=reading.next_draw,
            now=now,
            popularity=shipped_model(),
            secret=str(secret),
            max_chars=int(account.settings.get("reply_max_chars", self.settings.reply_max_chars)),
            language=str(account.settings.get("language", "auto")),
            account_username=account.username,
            default_language=self.settings.default_language,
            reader=reader_from_settings(self.settings) if wanted else None,
        )

    def __call__(self, record: CommentRecord, account: Account) -> ReplyLike:
        from marksix.language import Comment, respond

        comment = Comment(text=record.text, username=record.username or "", comment_id=record.comment_id)
        reply: ReplyLike = respond(comment, self.context(account))
        # The LLM needs an endpoint (global settings) and the account's consent
        # (its dashboard switch, on unless turned off).
        wanted = bool(account.settings.get("llm_enabled", True))
        if self.settings.llm_enabled and wanted and reply.text is not None:
            reply = self._rephrase(reply, comment)
        return reply

    def _rephrase(self, reply: Any, comment: Any) -> ReplyLike:
        from marksix.llm import config_from_settings, rephrase

        config = config_from_settings(self.settings)
        if config is None:
            unchanged: ReplyLike = reply
            return unchanged
        result: ReplyLike = rephrase(reply, comment, config)
        return result

    def close(self) -> None:
        self.archive.close()


ServicesFactory = Callable[[], WorkerServices]
