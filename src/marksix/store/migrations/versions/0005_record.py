"""The public record (frozen ledgers of the lines handed out per draw) and the autopilot's leases.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_ledgers",
        sa.Column("draw_date", sa.String(10), nullable=False),
        sa.Column("draw_id", sa.String(16), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("ledger", sa.Text(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settlement", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("draw_date", name=op.f("pk_record_ledgers")),
    )
    op.create_table(
        "autopilot_leases",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_autopilot_leases")),
    )


def downgrade() -> None:
    op.drop_table("autopilot_leases")
    op.drop_table("record_ledgers")
