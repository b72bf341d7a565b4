"""Connecting accounts: OAuth states and per-account settings.

Business Login's `state` is kept server-side, bound to the admin's session and
used once. Per-account settings (language, cooldown, cap, LLM, public or
private reply) stay in `accounts.settings` (JSON), validated by
`worker.limits.AccountLimits`, so they need no column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_oauth_states")),
    )
    op.create_index("ix_oauth_states_created", "oauth_states", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_oauth_states_created", table_name="oauth_states")
    op.drop_table("oauth_states")
