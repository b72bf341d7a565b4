"""Reply service: accounts (encrypted tokens), comments (the queue's truth), reply sends.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(64)
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("token_ciphertext", sa.Text(), nullable=True),
        _when("token_expires_at"),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("alert", sa.Text(), nullable=True),
        _when("blocked_at"),
        _when("paused_until"),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.CheckConstraint("status IN ('active', 'blocked')", name=op.f("ck_accounts_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "comments",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("comment_id", _ID, nullable=False),
        sa.Column("media_id", _ID, nullable=True),
        sa.Column("parent_id", _ID, nullable=True),
        sa.Column("from_id", _ID, nullable=True),
        sa.Column("username", sa.String(255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("media_product_type", sa.String(32), nullable=True),
        sa.Column("is_self", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(32), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("reply_kind", sa.String(16), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_id", _ID, nullable=True),
        sa.Column("reply_path", sa.String(16), nullable=True),
        sa.Column("reply_details", sa.JSON(), nullable=True),
        sa.Column("reason_code", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("failure_class", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("not_before"),
        _when("lease_expires_at"),
        _when("send_started_at"),
        _when("commented_at"),
        _when("received_at", nullable=False),
        _when("enqueued_at"),
        _when("started_at"),
        _when("finished_at"),
        _when("updated_at", nullable=False),
        sa.Column("latency_seconds", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "state IN ('received', 'queued', 'in_progress', 'replied', 'skipped', 'failed')",
            name=op.f("ck_comments_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("account_id", "comment_id", name="uq_comments_account_comment"),
    )
    op.create_index("ix_comments_state_not_before", "comments", ["state", "not_before"])
    op.create_index("ix_comments_account_media", "comments", ["account_id", "media_id"])
    op.create_index("ix_comments_account_username", "comments", ["account_id", "username"])
    op.create_index("ix_comments_account_reply", "comments", ["account_id", "reply_id"])
    op.create_index("ix_comments_received_at", "comments", ["received_at"])
    op.create_table(
        "reply_sends",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("comment_id", _ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _when("sent_at", nullable=False),
        sa.CheckConstraint("kind IN ('public', 'private')", name=op.f("ck_reply_sends_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_sends")),
        sa.UniqueConstraint("account_id", "comment_id", "kind", name="uq_reply_sends_account_comment_kind"),
    )
    op.create_index("ix_reply_sends_window", "reply_sends", ["account_id", "kind", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_reply_sends_window", table_name="reply_sends")
    op.drop_table("reply_sends")
    for name in (
        "ix_comments_received_at",
        "ix_comments_account_reply",
        "ix_comments_account_username",
        "ix_comments_account_media",
        "ix_comments_state_not_before",
    ):
        op.drop_index(name, table_name="comments")
    op.drop_table("comments")
    op.drop_table("accounts")
