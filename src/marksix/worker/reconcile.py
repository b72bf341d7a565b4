"""The reconciler: catch comments whose webhook never arrived.

Webhooks get lost (the app unsubscribed after an hour of failures, a
deploy, a missing `subscribed_apps` call). Every few minutes this lists the
most recent media of each active account and their newest top-level
comments, and stores any comment not seen before, as if its webhook had
come. Comments older than `max_age` are left alone, so connecting an
account never answers last year's comments; hidden comments are left alone
because they cannot be answered.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from marksix.errors import ApiError, ConfigError, PolicyBlocked, RateLimited, TokenExpired
from marksix.instagram.webhooks import CommentEvent
from marksix.store.account_health import AccountHealth
from marksix.store.accounts import Account, AccountRepository
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker import metrics
from marksix.worker.limits import Limits, throttled_until, usage_pause
from marksix.worker.policy import back_off
from marksix.worker.service import Clock, GraphFor, utc_now

log = structlog.get_logger("marksix.worker.reconcile")


@dataclass(frozen=True)
class ReconcileResult:
    found: list[CommentKey] = field(default_factory=list)  # new comments, to enqueue
    media: int = 0
    comments: int = 0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "found": len(self.found),
            "media": self.media,
            "comments": self.comments,
            "problems": self.problems,
        }


def parse_graph_time(value: object) -> datetime | None:
    """Graph's `2017-05-19T23:27:28+0000` (no colon in the offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def event_from_graph(account_id: str, media: Mapping[str, Any], comment: Mapping[str, Any]) -> CommentEvent:
    """A polled comment in the webhook's shape, so both take the same path."""
    author = comment.get("from") if isinstance(comment.get("from"), Mapping) else {}
    username = comment.get("username") or (author.get("username") if author else None)
    parent = comment.get("parent_id")
    return CommentEvent(
        account_id=account_id,
        comment_id=str(comment["id"]),
        media_id=str(media["id"]) if media.get("id") is not None else None,
        text=str(comment.get("text") or ""),
        from_id=str(author["id"]) if author and author.get("id") is not None else None,
        from_username=str(username) if username else None,
        parent_id=str(parent) if parent else None,
        field="comments",
        media_product_type=media.get("media_product_type"),
        timestamp=None,
    )


class Reconciler:
    def __init__(
        self,
        comments: CommentRepository,
        accounts: AccountRepository,
        *,
        graph_for: GraphFor,
        limits: Limits | None = None,
        clock: Clock = utc_now,
        media_limit: int = 5,
        comment_limit: int = 50,
        max_age: timedelta = timedelta(hours=24),
        max_pages: int = 10,
        first_lookback: timedelta = timedelta(minutes=15),
        health: AccountHealth | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.comments = comments
        self.health = health or AccountHealth(comments.engine)
        self.rng = rng or random.Random()
        self.accounts = accounts
        self.graph_for = graph_for
        self.limits = limits or Limits()
        self.clock = clock
        self.media_limit = media_limit
        self.comment_limit = comment_limit
        self.max_age = max_age
        # A busy post gets more than a page of comments between two runs; a lost webhook
        # among them must still be found. Pages are read back to where the last run began.
        self.max_pages = max_pages
        self.first_lookback = first_lookback
        # Per account: a paused or blocked account is not polled, so its mark stays where
        # its last poll began, and the poll after it resumes reads back over the whole pause.
        self._last_polled: dict[str, datetime] = {}

    def reconcile(self) -> ReconcileResult:
        started = self.clock()
        found: list[CommentKey] = []
        media_count = comment_count = 0
        problems: list[str] = []
        for account in self.accounts.all():
            if account.blocked or not account.has_token or account.paused_at(self.clock()):
                continue
            last = self._last_polled.get(account.id)
            # Back to a minute before its last poll began (its clock and Instagram's may differ).
            since = last - timedelta(minutes=1) if last is not None else started - self.first_lookback
            try:
                media_seen, comments_seen = self._account(account, found, since)
            except (ApiError, ConfigError) as error:
                problems.append(f"{account.username}: {type(error).__name__}: {error}")
                self._after_error(account, error)
                continue
            self._last_polled[account.id] = started
            media_count += media_seen
            comment_count += comments_seen
        if found:
            log.info("reconcile_found", comments=len(found))
        return ReconcileResult(found, media_count, comment_count, problems)

    def _newest_comments(self, graph: Any, media_id: str, since: datetime) -> list[dict[str, Any]]:
        """The first page; more pages when even its oldest comment came after `since`."""
        first = graph.list_comments(media_id, limit=self.comment_limit)
        oldest = parse_graph_time(first[-1].get("timestamp")) if first else None
        if len(first) < self.comment_limit or oldest is None or oldest < since:
            return list(first)
        deeper: list[dict[str, Any]] = graph.list_comments(
            media_id, limit=self.comment_limit * self.max_pages, max_pages=self.max_pages
        )
        return deeper

    def _account(self, account: Account, found: list[CommentKey], since: datetime) -> tuple[int, int]:
        graph = self.graph_for(account)
        horizon = self.clock() - self.max_age
        media_list = graph.list_media(account.id, limit=self.media_limit)
        seen = 0
        for media in media_list:
            if media.get("id") is None:
                continue
            for comment in self._newest_comments(graph, str(media["id"]), since):
                seen += 1
                if comment.get("id") is None or comment.get("hidden") is True:
                    continue
                commented_at = parse_graph_time(comment.get("timestamp"))
                if commented_at is not None and commented_at < horizon:
                    continue
                event = event_from_graph(account.id, media, comment)
                if self.comments.record(
                    event, now=self.clock(), source="reconcile", commented_at=commented_at
                ):
                    metrics.COMMENTS_RECEIVED.labels("reconcile").inc()
                    found.append(CommentKey(account.id, event.comment_id))
        pause = usage_pause(graph.usage, self.limits, self.clock())
        if pause is not None:  # polling spends the same budget the replies need
            self.accounts.pause(account.id, pause[0], pause[1], now=self.clock())
        return len(media_list), seen

    def _after_error(self, account: Account, error: Exception) -> None:
        now = self.clock()
        if isinstance(error, RateLimited):
            until = throttled_until(error.retry_after, self.limits, now)
            self.accounts.pause(
                account.id, until, f"throttled while polling comments (code {error.code})", now=now
            )
        elif isinstance(error, PolicyBlocked):
            # The same wait-and-retry as a reply that meets the block (policy.py): the account
            # pauses and resumes by itself; blocking it here would need a person to lift it.
            back_off(self.health, account.id, error, limits=self.limits, now=now, rng=self.rng)
        elif isinstance(error, TokenExpired | ConfigError):
            alert = f"polling comments failed: {error}; store a new token, then unblock the account"
            if self.accounts.block(account.id, alert, now=now):
                metrics.ACCOUNT_BLOCKS.labels(type(error).__name__).inc()
                log.error("account_blocked", account_id=account.id, alert=alert)
        else:
            log.warning("reconcile_failed", account_id=account.id, error=str(error))
