"""Tables that keep accounts working: policy back-off and the moderation log (migration 0007).

Kept apart from `accounts` so the connection's columns (migration 0006) and
these never meet in one table definition.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from marksix.store.base import metadata
from marksix.store.service_tables import UtcDateTime

_ID = String(64)

#: One row per account once it needs one: how many policy blocks (code 368) in a row, until
#: when it waits, and whether spam and adverts are hidden (off by default).
account_health = Table(
    "account_health",
    metadata,
    Column("account_id", _ID, primary_key=True),
    Column("policy_strikes", Integer, nullable=False, default=0),
    Column("policy_blocked_at", UtcDateTime, nullable=True),  # the first block of this run
    Column("policy_until", UtcDateTime, nullable=True),
    Column("hide_spam", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: Every hide and unhide, with its reason: the reply log shows it and offers "unhide".
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", _ID, nullable=False),
    Column("comment_id", _ID, nullable=False),
    Column("action", String(16), nullable=False),  # hidden | unhidden | failed
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_moderation_log_account_comment", "account_id", "comment_id"),
)
