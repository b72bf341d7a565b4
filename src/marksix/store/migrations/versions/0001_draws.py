"""Draw archive: draws, prize figures and HKJC's next-draw announcement.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draws",
        sa.Column("draw_id", sa.String(6), nullable=False),
        sa.Column("draw_date", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.SmallInteger(), nullable=False)
            for name in ("n1", "n2", "n3", "n4", "n5", "n6")
        ),
        sa.Column("extra", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "n1 >= 1 AND n1 < n2 AND n2 < n3 AND n3 < n4 AND n4 < n5 AND n5 < n6 AND n6 <= 49",
            name=op.f("ck_draws_sorted_numbers"),
        ),
        sa.CheckConstraint(
            "extra BETWEEN 1 AND 49 AND extra NOT IN (n1, n2, n3, n4, n5, n6)",
            name=op.f("ck_draws_extra_number"),
        ),
        sa.PrimaryKeyConstraint("draw_id", name=op.f("pk_draws")),
        sa.UniqueConstraint("draw_date", name=op.f("uq_draws_draw_date")),
    )
    op.create_table(
        "draw_prizes",
        sa.Column("draw_id", sa.String(6), nullable=False),
        sa.Column("draw_date", sa.Date(), nullable=False),
        sa.Column("unit_bet", sa.Integer(), nullable=True),
        sa.Column("turnover", sa.BigInteger(), nullable=True),
        sa.Column("jackpot", sa.BigInteger(), nullable=True),
        sa.Column("first_prize_fund", sa.BigInteger(), nullable=True),
        sa.Column("snowball_code", sa.String(16), nullable=True),
        sa.Column("snowball_name", sa.String(200), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", name=op.f("pk_draw_prizes")),
    )
    op.create_table(
        "draw_prize_tiers",
        sa.Column("draw_id", sa.String(6), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("dividend", sa.BigInteger(), nullable=True),
        sa.Column("winning_units", sa.Numeric(20, 4), nullable=True),
        sa.CheckConstraint("tier BETWEEN 1 AND 7", name=op.f("ck_draw_prize_tiers_tier_range")),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["draw_prizes.draw_id"],
            name=op.f("fk_draw_prize_tiers_draw_id_draw_prizes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("draw_id", "tier", name=op.f("pk_draw_prize_tiers")),
    )
    op.create_table(
        "announced_draws",
        sa.Column("draw_id", sa.String(6), nullable=False),
        sa.Column("draw_date", sa.Date(), nullable=False),
        sa.Column("close_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("jackpot", sa.BigInteger(), nullable=True),
        sa.Column("estimated_prize", sa.BigInteger(), nullable=True),
        sa.Column("snowball_name", sa.String(200), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", name=op.f("pk_announced_draws")),
    )


def downgrade() -> None:
    op.drop_table("announced_draws")
    op.drop_table("draw_prize_tiers")
    op.drop_table("draw_prizes")
    op.drop_table("draws")
