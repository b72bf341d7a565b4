"""Tables of the reply service: Instagram accounts, comments and sent replies.

The `comments` table is the source of truth for the queue: Huey only carries
"look at comment X of account A"; what happened to the comment (its state,
attempts, reason) lives here. `(account_id, comment_id)` is unique, which is
what makes duplicate webhooks, reconciler finds and retries harmless.

State machine of a comment:

    received -> queued -> in_progress -> replied | skipped | failed
                  ^            |
                  +------------+  retry (attempts + 1, not_before),
                                  rate limit (not_before), blocked account (waits)
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Dialect,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import DateTime, TypeDecorator

from marksix.store.base import metadata


class CommentState(StrEnum):
    """Where a comment is in the reply state machine (the diagram above); stored as its value."""

    RECEIVED = "received"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    SKIPPED = "skipped"
    FAILED = "failed"


STATES = tuple(state.value for state in CommentState)
#: Still waiting for the worker: the queue's depth counts these.
WAITING_STATES = (CommentState.RECEIVED, CommentState.QUEUED, CommentState.IN_PROGRESS)
#: Nothing more happens to a comment in one of these.
FINAL_STATES = (CommentState.REPLIED, CommentState.SKIPPED, CommentState.FAILED)
ACCOUNT_STATUSES = ("active", "blocked")
SEND_KINDS = ("public", "private")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (naive text) and PostgreSQL (timestamptz).

    SQLite keeps no offset, so values are stored as naive UTC; comparing them
    as text stays correct because every row uses the same format.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_ID = String(64)
_ROW_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER only


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


accounts = Table(
    "accounts",
    metadata,
    Column("id", _ID, primary_key=True),  # the IG professional account id (webhook entry.id)
    Column("username", String(255), nullable=False),
    Column("token_ciphertext", Text, nullable=True),  # Fernet; never the plain token
    Column("token_expires_at", UtcDateTime, nullable=True),
    Column("settings", JSON, nullable=False, default=dict),
    Column("status", String(16), nullable=False, default="active"),
    Column("alert", Text, nullable=True),
    Column("blocked_at", UtcDateTime, nullable=True),
    # Usage-based slowdown and throttling back-off: no sends before this time.
    Column("paused_until", UtcDateTime, nullable=True),
    Column("pause_reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status"),
)

#: Business Login's `state`, one row per "Connect an account": bound to the admin's session,
#: single-use, short-lived (migration 0006). Only a hash of the state is kept.
oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_oauth_states_created", "created_at"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    # No foreign key to accounts: a webhook for an unknown account is kept
    # and skipped with a visible reason rather than refused.
    Column("account_id", _ID, nullable=False),
    Column("comment_id", _ID, nullable=False),
    Column("media_id", _ID, nullable=True),
    Column("parent_id", _ID, nullable=True),
    Column("from_id", _ID, nullable=True),
    Column("username", String(255), nullable=True),
    Column("text", Text, nullable=False, default=""),
    Column("field", String(32), nullable=False, default="comments"),
    Column("media_product_type", String(32), nullable=True),
    Column("is_self", Integer, nullable=False, default=0),  # Meta's self_ig_scoped_id was present
    Column("source", String(16), nullable=False),  # webhook | reconcile
    Column("state", String(16), nullable=False),
    Column("intent", String(32), nullable=True),
    Column("language", String(16), nullable=True),
    Column("reply_kind", String(16), nullable=True),  # public | private
    Column("reply_text", Text, nullable=True),
    Column("reply_id", _ID, nullable=True),
    Column("reply_path", String(16), nullable=True),  # template | llm | none
    Column("reply_details", JSON, nullable=True),  # request and tickets, for the reply log
    Column("reason_code", String(64), nullable=True),
    Column("reason", Text, nullable=True),
    Column("failure_class", String(64), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UtcDateTime, nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True),  # the worker's heartbeat
    # Set just before a send: from then on the outcome may be unknown, and a
    # retry must look for our own reply before posting again.
    Column("send_started_at", UtcDateTime, nullable=True),
    Column("commented_at", UtcDateTime, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("enqueued_at", UtcDateTime, nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("latency_seconds", Float, nullable=True),
    UniqueConstraint("account_id", "comment_id", name="uq_comments_account_comment"),
    CheckConstraint(_in("state", STATES), name="state"),
    Index("ix_comments_state_not_before", "state", "not_before"),
    Index("ix_comments_account_media", "account_id", "media_id"),
    Index("ix_comments_account_username", "account_id", "username"),
    Index("ix_comments_account_reply", "account_id", "reply_id"),
    Index("ix_comments_received_at", "received_at"),
)

#: One row per reply we are sending or have sent: the windows (750 private
#: replies an hour) count these, reservations included, so concurrent
#: workers cannot overshoot.
reply_sends = Table(
    "reply_sends",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", _ID, nullable=False),
    Column("comment_id", _ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    UniqueConstraint("account_id", "comment_id", "kind", name="uq_reply_sends_account_comment_kind"),
    CheckConstraint(_in("kind", SEND_KINDS), name="kind"),
    Index("ix_reply_sends_window", "account_id", "kind", "sent_at"),
)

#: Commenters who asked the bot to stop replying to them ("唔使再覆我"), per
#: account: they get no reply there until they ask for numbers again.
reply_opt_outs = Table(
    "reply_opt_outs",
    metadata,
    Column("account_id", _ID, primary_key=True),
    Column("username", String(255), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)
