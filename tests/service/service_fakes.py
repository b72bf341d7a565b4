"""Fakes for the reply service tests: a Graph API, a clock and a language layer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from marksix.errors import NetworkError
from marksix.instagram.webhooks import CommentEvent
from marksix.store.accounts import Account, AccountRepository
from marksix.store.comments import Admission, AdmissionCounts, CommentKey, CommentRecord, CommentRepository
from marksix.worker.limits import Limits, admission
from marksix.worker.service import ReplyService

ACCOUNT_ID = "17841400000000001"
ACCOUNT_NAME = "marksix_bot"


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class FakeUsage:
    max_percent: float = 0.0
    retry_after: float | None = None


@dataclass
class FakeGraph:
    """Remembers replies per comment; `fail` queues errors per method name.

    An entry ("after", error) in `fail["reply"]` posts the reply *then* raises:
    the outcome-unknown case (a timeout after the platform took the reply).
    """

    account_id: str = ACCOUNT_ID
    username: str = ACCOUNT_NAME
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    private: list[tuple[str, str]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail: dict[str, list[Any]] = field(default_factory=dict)
    usage: FakeUsage = field(default_factory=FakeUsage)
    calls: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(90_000))

    def _maybe_fail(self, method: str) -> Any:
        queue = self.fail.get(method)
        if queue:
            item = queue.pop(0)
            if isinstance(item, tuple):
                return item[1]  # raise after doing the work
            raise item
        return None

    def posted(self) -> int:
        return sum(
            1
            for replies in self.replies.values()
            for reply in replies
            if reply["from"]["id"] == self.account_id
        )

    def reply(self, comment_id: str, message: str) -> str:
        self.calls.append(f"reply:{comment_id}")
        late = self._maybe_fail("reply")
        reply_id = str(next(self._ids))
        self.replies.setdefault(comment_id, []).append(
            {"id": reply_id, "text": message, "from": {"id": self.account_id, "username": self.username}}
        )
        if late is not None:
            raise late
        return reply_id

    def private_reply(self, ig_user_id: str, comment_id: str, message: str) -> str:
        self.calls.append(f"private:{comment_id}")
        self._maybe_fail("private_reply")
        self.private.append((comment_id, message))
        return f"m{next(self._ids)}"

    def list_replies(self, comment_id: str) -> list[dict[str, Any]]:
        self.calls.append(f"list_replies:{comment_id}")
        self._maybe_fail("list_replies")
        return list(self.replies.get(comment_id, []))

    def list_media(self, ig_user_id: str, limit: int = 10) -> list[dict[str, Any]]:
        self.calls.append("list_media")
        self._maybe_fail("list_media")
        return self.media[:limit]

    def refresh_access_token(self) -> dict[str, Any]:
        self.calls.append("refresh_access_token")
        self._maybe_fail("refresh_access_token")
        return {
            "access_token": f"IGAAT-refreshed-{next(self._ids)}",
            "token_type": "bearer",
            "expires_in": 5_184_000,
        }

    def list_comments(self, media_id: str, limit: int = 50, *, max_pages: int = 1) -> list[dict[str, Any]]:
        self.calls.append(f"list_comments:{media_id}")
        self._maybe_fail("list_comments")
        return self.comments.get(media_id, [])[: min(limit, 50 * max_pages)]


def timeout_after_send() -> tuple[str, NetworkError]:
    return ("after", NetworkError("read timed out"))


@dataclass(frozen=True)
class FakeReply:
    intent: str
    language: str
    request: Mapping[str, Any]
    tickets: list[tuple[int, ...]]
    text: str | None
    path: str
    reason: str | None = None
    topic: str | None = None


def fake_reply_for(record: CommentRecord, account: Account) -> FakeReply:
    """`ignore` for comments containing "ignore"; otherwise a fixed pick."""
    if "ignore" in record.text:
        return FakeReply("ignore", "en", {}, [], None, "none", "not a question for the bot")
    return FakeReply(
        "pick",
        "zh-HK",
        {"strategy": "random"},
        [(3, 11, 18, 25, 33, 47)],
        f"@{record.username} 3 11 18 25 33 47 (18+)",
        "template",
    )


_comment_ids = itertools.count(1_000)


def event(
    text: str = "俾個號碼我",
    *,
    username: str = "amy",
    from_id: str | None = None,
    comment_id: str | None = None,
    media_id: str = "media-1",
    parent_id: str | None = None,
    account_id: str = ACCOUNT_ID,
    field: str = "comments",
    self_ig_scoped_id: str | None = None,
) -> CommentEvent:
    return CommentEvent(
        account_id=account_id,
        comment_id=comment_id or f"c{next(_comment_ids)}",
        media_id=media_id,
        text=text,
        from_id=from_id or f"user-{username}",
        from_username=username,
        parent_id=parent_id,
        field=field,
        media_product_type="LIVE" if field == "live_comments" else "FEED",
        timestamp=int(datetime(2026, 11, 29, 11, 59, tzinfo=UTC).timestamp()),
        self_ig_scoped_id=self_ig_scoped_id,
    )


@dataclass
class Env:
    engine: Engine
    comments: CommentRepository
    accounts: AccountRepository
    graph: FakeGraph
    clock: FakeClock
    service: ReplyService


def admission_rule(
    record: CommentRecord,
    *,
    kind: str,
    now: datetime,
    cooldown: timedelta,
    post_cap: int,
    private_per_hour: int,
) -> Callable[[AdmissionCounts], Admission]:
    """The worker's admission rule (worker.limits) with these limits, for `CommentRepository.admit`."""
    limits = Limits(
        commenter_cooldown=cooldown, post_reply_cap=post_cap, private_replies_per_hour=private_per_hour
    )
    return lambda counts: admission(record, counts, limits, kind=kind, now=now)


def claim_record(
    repository: CommentRepository, key: CommentKey, *, now: datetime, lease: timedelta
) -> CommentRecord | None:
    """The record a claim returns, without the account row and own-reply check read with it."""
    claimed = repository.claim(key, now=now, lease=lease)
    return claimed.record if claimed is not None else None
