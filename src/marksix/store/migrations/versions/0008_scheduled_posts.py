"""Scheduled posts per account and draw.

The schedule (per account and kind: on or off, and its time), one row per
post that went out or is going out (its primary key is what makes each post
go out once), and the moment a draw's sales closed when that was not the
calendar's 21:15 (the sandbox draws early).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "post_schedules",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        _when("updated_at", nullable=False),
        sa.CheckConstraint("kind IN ('draw_day', 'results')", name=op.f("ck_post_schedules_kind")),
        sa.PrimaryKeyConstraint("account_id", "kind", name=op.f("pk_post_schedules")),
    )
    op.create_table(
        "scheduled_posts",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("draw_date", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("draw_id", sa.String(16), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(128), nullable=True),
        _when("lease_until"),
        _when("not_before"),
        _when("send_started_at"),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("media_id", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("published_at"),
        sa.CheckConstraint("kind IN ('draw_day', 'results')", name=op.f("ck_scheduled_posts_kind")),
        sa.CheckConstraint(
            "state IN ('claimed', 'pending', 'published', 'failed')", name=op.f("ck_scheduled_posts_state")
        ),
        sa.PrimaryKeyConstraint("account_id", "draw_date", "kind", name=op.f("pk_scheduled_posts")),
    )
    op.add_column("record_ledgers", _when("closed_at"))


def downgrade() -> None:
    with op.batch_alter_table("record_ledgers") as batch:
        batch.drop_column("closed_at")
    op.drop_table("scheduled_posts")
    op.drop_table("post_schedules")
