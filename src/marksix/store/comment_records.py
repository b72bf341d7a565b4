"""The value types of the comment store: keys, rows, pages and admission verdicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Row


class IncomingComment(Protocol):
    """What `record` needs from a comment; `instagram.webhooks.CommentEvent` fits."""

    @property
    def account_id(self) -> str: ...
    @property
    def comment_id(self) -> str: ...
    @property
    def media_id(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def from_id(self) -> str | None: ...
    @property
    def from_username(self) -> str | None: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def field(self) -> str: ...
    @property
    def media_product_type(self) -> str | None: ...
    @property
    def timestamp(self) -> int | None: ...
    @property
    def self_ig_scoped_id(self) -> str | None: ...


@dataclass(frozen=True)
class CommentKey:
    account_id: str
    comment_id: str


@dataclass(frozen=True)
class CommentRecord:
    """One row of `comments`."""

    id: int
    account_id: str
    comment_id: str
    media_id: str | None
    parent_id: str | None
    from_id: str | None
    username: str | None
    text: str
    field: str
    media_product_type: str | None
    is_self: int
    source: str
    state: str
    intent: str | None
    language: str | None
    reply_kind: str | None
    reply_text: str | None
    reply_id: str | None
    reply_path: str | None
    reply_details: Mapping[str, Any] | None
    reason_code: str | None
    reason: str | None
    failure_class: str | None
    attempts: int
    not_before: datetime | None
    lease_expires_at: datetime | None
    send_started_at: datetime | None
    commented_at: datetime | None
    received_at: datetime
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    latency_seconds: float | None

    @property
    def key(self) -> CommentKey:
        return CommentKey(self.account_id, self.comment_id)

    @property
    def is_live(self) -> bool:
        return self.field == "live_comments" or self.media_product_type == "LIVE"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            data[item.name] = value.isoformat() if isinstance(value, datetime) else value
        return data


RECORD_FIELDS = tuple(item.name for item in fields(CommentRecord))


def record_from_row(row: Row[Any]) -> CommentRecord:
    mapping = row._mapping
    return CommentRecord(**{name: mapping[name] for name in RECORD_FIELDS})


@dataclass(frozen=True)
class Claimed:
    """A comment just claimed, with its account's row (None: unknown account) and whether
    it is one of the replies this service posted."""

    record: CommentRecord
    account_row: Row[Any] | None
    is_own_reply: bool


@dataclass(frozen=True)
class AdmissionCounts:
    """What the limits are decided on, read under the account's lock (`CommentRepository.admit`)."""

    #: The last reply to the same commenter (by id or username) on this account, if any.
    last_reply_to_commenter: datetime | None
    #: Replies sent or being sent on the comment's post (0 when it has no post id).
    replies_on_post: int
    #: Private replies of the account in the last hour, and the oldest of them.
    private_last_hour: int
    oldest_private: datetime | None


@dataclass(frozen=True)
class Admission:
    """The answer to "may this comment be sent now?"; `verdict` is send|skip|defer|lost."""

    verdict: str
    code: str | None = None
    reason: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class ReplyFields:
    """What the language layer decided, stored with the comment for the reply log."""

    intent: str | None
    language: str | None
    text: str | None
    path: str | None
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CommentPage:
    items: list[CommentRecord]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
        }


def epoch(seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None
