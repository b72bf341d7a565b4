"""The public record (one frozen ledger per draw, and its settlement) and the scheduled posts.

A row is written once, at or after sales close, and its `ledger` and
`commitment` are never updated; only the settlement columns are filled in
after the result. `draw_date` is the key because the draw id is known for
certain only once HKJC publishes the result.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Integer, String, Table, Text

from marksix.store.base import metadata
from marksix.store.service_tables import UtcDateTime

record_ledgers = Table(
    "record_ledgers",
    metadata,
    Column("draw_date", String(10), primary_key=True),  # ISO date of the draw
    Column("draw_id", String(16), nullable=True),  # set at settlement
    Column("frozen_at", UtcDateTime, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("commitment", String(64), nullable=False),  # SHA-256 hex of `ledger`
    Column("ledger", Text, nullable=False),  # the canonical serialisation, exactly as hashed
    Column("settled_at", UtcDateTime, nullable=True),
    Column("settlement", JSON, nullable=True),
    # When sales closed, if not at the calendar's 21:15: the sandbox draws early, and
    # the next ledger starts from this moment so no line falls between two ledgers.
    Column("closed_at", UtcDateTime, nullable=True),
)

#: One row per job that must run in one process at a time (the results
#: poller): whoever holds an unexpired lease runs it; a crashed holder's
#: lease simply runs out.
autopilot_leases = Table(
    "autopilot_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

POST_KINDS = ("draw_day", "results")
POST_STATES = ("claimed", "pending", "published", "failed")

#: Per account and kind of post: on or off, and the Hong Kong time of day it goes out.
post_schedules = Table(
    "post_schedules",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("post_time", String(5), nullable=False),  # HH:MM, Hong Kong time
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('draw_day', 'results')", name="kind"),
)

#: One row per (account, draw, kind): the primary key is what makes a post go out
#: once. A process claims the row (an insert, or a conditional update of a row
#: whose retry is due or whose holder's lease ran out) before it publishes;
#: `send_started_at` marks a publish whose outcome is not known yet, which the
#: next claimer settles by looking for the caption among the account's media.
scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("draw_date", String(10), primary_key=True),  # ISO date the post is for
    Column("kind", String(16), primary_key=True),
    Column("draw_id", String(16), nullable=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("holder", String(128), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("not_before", UtcDateTime, nullable=True),
    Column("send_started_at", UtcDateTime, nullable=True),
    Column("caption", Text, nullable=True),
    Column("image_url", Text, nullable=True),
    Column("media_id", String(64), nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    CheckConstraint("kind IN ('draw_day', 'results')", name="kind"),
    CheckConstraint("state IN ('claimed', 'pending', 'published', 'failed')", name="state"),
)
