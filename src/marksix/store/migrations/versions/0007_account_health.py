"""Keeping accounts working: moderation log and policy back-off.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_health",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("policy_strikes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("policy_blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("policy_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hide_spam", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_health")),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    op.create_index("ix_moderation_log_account_comment", "moderation_log", ["account_id", "comment_id"])


def downgrade() -> None:
    op.drop_index("ix_moderation_log_account_comment", table_name="moderation_log")
    op.drop_table("moderation_log")
    op.drop_table("account_health")
