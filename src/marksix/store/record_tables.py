"""The public record: one frozen ledger per draw, and its settlement.

A row is written once, at or after sales close, and its `ledger` and
`commitment` are never updated; only the settlement columns are filled in
after the result. `draw_date` is the key because the draw id is known for
certain only once HKJC publishes the result.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table, Text

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
