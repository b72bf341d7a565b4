"""What the dashboard shows, read from the service's runtime.

The pages never touch tables: they ask the repositories the service layer
owns (comments, accounts) and turn the answers into small view rows here.
A runtime without a database (a bare app in a test) still renders every
page, with the service panels marked as not connected.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marksix.domain.calendar import HONG_KONG, NextDraw
from marksix.domain.draws import DrawHistory
from marksix.errors import MarksixError
from marksix.store.account_health import AccountHealth
from marksix.store.service_tables import WAITING_STATES
from marksix.worker.tokens import expiry_warning

if TYPE_CHECKING:
    from marksix.config import Settings
    from marksix.store.accounts import Account, AccountRepository
    from marksix.store.comments import CommentRepository
    from marksix.web.dashboard.interface import DashboardRuntime

PER_PAGE = 25
#: Asking Graph for subscriptions costs calls against the account's budget: not on every page view.
WEBHOOK_CHECK_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class WebhookState:
    """Whether Instagram will send this account's comments: `subscribed_apps` as Graph reports it."""

    state: str  # subscribed | none | unknown
    fields: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class AccountView:
    id: str
    username: str
    status: str
    token_expires: str | None
    rate_usage: int | None
    webhook: WebhookState | None
    alert: str | None
    hide_spam: bool = False


@dataclass(frozen=True, slots=True)
class ReplyRow:
    comment_id: str
    account_id: str
    received: str
    username: str | None
    text: str
    intent: str | None
    language: str | None
    reply: str | None
    path: str | None
    state: str
    latency: str | None
    reason: str | None
    #: "crisis" when a person should look at this comment (the reply carried the crisis lines).
    flag: str | None = None
    #: The latest moderation of the comment: hidden | unhidden | failed (see worker/moderation.py).
    moderation: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyPage:
    rows: list[ReplyRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class Overview:
    connected: bool
    queue_depth: int | None
    handled_last_hour: int | None
    per_minute: float | None
    states: dict[str, int]
    latency_p50: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "connected": self.connected,
            "queue_depth": self.queue_depth,
            "handled_last_hour": self.handled_last_hour,
            "replies_per_minute": self.per_minute,
            "states": self.states,
            "latency_p50": self.latency_p50,
        }


def _webhook_state(make_client: Callable[[str], Any], account_id: str) -> WebhookState:
    try:
        apps = make_client(account_id).subscriptions(account_id)
    except MarksixError as problem:
        return WebhookState("unknown", problem=str(problem))
    fields = tuple(
        str(name) for app in apps for name in (app.get("subscribed_fields") or ()) if isinstance(name, str)
    )
    return WebhookState("subscribed", fields) if fields else WebhookState("none")


def _hong_kong_time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(HONG_KONG).strftime("%Y-%m-%d %H:%M:%S")


def _latency(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


class DashboardData:
    """Adapter from the runtime's repositories to view rows; without a runtime, empty views."""

    def __init__(self, runtime: DashboardRuntime | None) -> None:
        self.runtime = runtime
        self._webhooks: tuple[float, dict[str, WebhookState]] | None = None
        self._webhooks_lock = threading.Lock()

    @property
    def comments(self) -> CommentRepository | None:
        return self.runtime.comments if self.runtime is not None else None

    @property
    def accounts_repository(self) -> AccountRepository | None:
        return self.runtime.accounts if self.runtime is not None else None

    @property
    def settings(self) -> Settings | None:
        return self.runtime.settings if self.runtime is not None else None

    @property
    def home(self) -> Path | None:
        return self.runtime.home if self.runtime is not None else None

    @property
    def sandbox(self) -> bool:
        return self.runtime is not None and self.runtime.sandbox

    def overview(self, now: dt.datetime) -> Overview:
        comments = self.comments
        if comments is None:
            return Overview(False, None, None, None, {})
        states = comments.counts_by_state()
        hour = comments.throughput(dt.timedelta(hours=1), now=now)
        handled = int(hour["replied"]) + int(hour["skipped"]) + int(hour["failed"])
        return Overview(
            connected=True,
            queue_depth=sum(int(states.get(state, 0)) for state in WAITING_STATES),
            handled_last_hour=handled,
            per_minute=float(hour["replies_per_minute"]),
            states={state: int(count) for state, count in states.items()},
            latency_p50=hour.get("latency_p50"),
        )

    def handled_timeline(
        self, now: dt.datetime, *, buckets: int = 12, width: dt.timedelta = dt.timedelta(minutes=5)
    ) -> list[tuple[str, int]]:
        """Comments finished (replied, skipped or failed) per interval, oldest first.

        The repository counts everything finished since a moment, so each
        interval is the difference of two such counts.
        """
        comments = self.comments
        if comments is None:
            return []

        def finished_within(span: dt.timedelta) -> int:
            figures = comments.throughput(span, now=now)
            return int(figures["replied"]) + int(figures["skipped"]) + int(figures["failed"])

        since = [finished_within(width * count) for count in range(buckets, -1, -1)]
        return [
            (
                (now - width * (buckets - index)).astimezone(HONG_KONG).strftime("%H:%M"),
                since[index] - since[index + 1],
            )
            for index in range(buckets)
        ]

    def accounts(self) -> list[AccountView]:
        repository = self.accounts_repository
        if repository is None:
            return []
        usage = self._usage_by_account()
        health = self._health()
        every = repository.all()
        subscriptions = self._subscriptions(every)
        views = []
        for account in every:
            views.append(
                AccountView(
                    id=account.id,
                    username=account.username,
                    status=account.status,
                    token_expires=_hong_kong_time(account.token_expires_at),
                    rate_usage=round(usage[account.id]) if account.id in usage else None,
                    webhook=subscriptions.get(account.id),
                    alert=account.alert
                    or expiry_warning(account.token_expires_at, dt.datetime.now(dt.UTC))
                    or (account.pause_reason if account.paused_until else None),
                    hide_spam=health.hides_spam(account.id) if health is not None else False,
                )
            )
        return views

    def _health(self) -> AccountHealth | None:
        comments = self.comments
        return AccountHealth(comments.engine) if comments is not None else None

    def _usage_by_account(self) -> dict[str, float]:
        """Rate-limit usage in percent per account, as the runtime tracks it."""
        if self.runtime is None:
            return {}
        return {str(key): float(value) for key, value in self.runtime.usage_by_account().items()}

    def _subscriptions(self, accounts: list[Account]) -> dict[str, WebhookState]:
        """Each account's webhook subscription, asked of Graph at most every WEBHOOK_CHECK_SECONDS."""
        if self.runtime is None:
            return {}
        make_client = self.runtime.graph_client
        with self._webhooks_lock:
            if self._webhooks is not None and time.monotonic() - self._webhooks[0] < WEBHOOK_CHECK_SECONDS:
                return self._webhooks[1]
            found = {
                account.id: _webhook_state(make_client, account.id)
                for account in accounts
                if account.has_token
            }
            self._webhooks = (time.monotonic(), found)
            return found

    def account_names(self) -> dict[str, str]:
        repository = self.accounts_repository
        return {account.id: account.username for account in repository.all()} if repository else {}

    def reply_log(
        self,
        *,
        query: str | None,
        state: str | None,
        intent: str | None,
        account: str | None,
        page: int,
        per_page: int = PER_PAGE,
    ) -> ReplyPage:
        comments = self.comments
        if comments is None:
            return ReplyPage([], 1, 1, 0)
        result = comments.search(
            query, state=state, intent=intent, account=account, page=page, per_page=per_page
        )
        moderated = self._moderation(result.items)
        rows = [
            ReplyRow(
                comment_id=record.comment_id,
                account_id=record.account_id,
                received=_hong_kong_time(record.received_at) or "",
                username=record.username,
                text=record.text,
                intent=record.intent,
                language=record.language,
                reply=record.reply_text,
                path=record.reply_path,
                state=record.state,
                latency=_latency(record.latency_seconds),
                reason=record.reason or record.failure_class,
                flag=str(record.reply_details["flag"])
                if record.reply_details and record.reply_details.get("flag")
                else None,
                moderation=moderated.get((record.account_id, record.comment_id)),
            )
            for record in result.items
        ]
        return ReplyPage(rows, result.page, result.pages, result.total)

    def _moderation(self, records: list[Any]) -> dict[tuple[str, str], str]:
        """The latest moderation action of each shown comment, one query per account."""
        health = self._health()
        if health is None:
            return {}
        by_account: dict[str, list[str]] = {}
        for record in records:
            by_account.setdefault(record.account_id, []).append(record.comment_id)
        return {
            (account_id, comment_id): entry.action
            for account_id, ids in by_account.items()
            for comment_id, entry in health.moderation(account_id, ids).items()
        }

    @property
    def database_url(self) -> str | None:
        return self.settings.database_url if self.settings is not None else None

    def history(self) -> DrawHistory:
        from marksix.draws.archive import load_history

        return load_history(self.home, self.database_url)

    def next_draw(self, now: dt.datetime) -> NextDraw:
        return current_next_draw(self.home, now, self.database_url)

    def reply_settings(self) -> Mapping[str, Any]:
        """The primary account's reply settings over the configured defaults."""
        settings = self.settings
        values: dict[str, Any] = {
            "language": "auto",  # the worker's default: answer in the commenter's language
            "commenter_cooldown_seconds": float(settings.commenter_cooldown_seconds if settings else 60.0),
            "post_reply_cap": int(settings.post_reply_cap if settings else 500),
            "llm_enabled": bool(settings.llm_enabled if settings else False),
        }
        account = self.primary_account()
        if account is not None:
            values.update({key: account.settings[key] for key in values if key in account.settings})
        return values

    def primary_account(self) -> Account | None:
        return self.runtime.primary_account() if self.runtime is not None else None

    def save_reply_settings(self, changes: Mapping[str, Any], now: dt.datetime) -> bool:
        account, repository = self.primary_account(), self.accounts_repository
        if account is None or repository is None:
            return False
        repository.update_settings(account.id, changes, now=now)
        return True


def current_next_draw(home: Path | None, now: dt.datetime, database_url: str | None = None) -> NextDraw:
    """HKJC's announced next draw when the archive knows it, else the regular schedule."""
    from marksix.draws.archive import next_draw

    return next_draw(home, now, database_url)
