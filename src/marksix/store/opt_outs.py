"""Who asked the bot to stop replying to them, per account (table reply_opt_outs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from marksix.store.service_tables import reply_opt_outs


def _key(username: str) -> str:
    return username.strip().lstrip("@").lower()


def is_opted_out(engine: Engine, account_id: str, username: str) -> bool:
    query = select(reply_opt_outs.c.username).where(
        reply_opt_outs.c.account_id == account_id, reply_opt_outs.c.username == _key(username)
    )
    with engine.connect() as connection:
        return connection.execute(query).first() is not None


def set_opted_out(engine: Engine, account_id: str, username: str, opted_out: bool, *, now: datetime) -> None:
    """Record the wish (or clear it when the commenter asks for numbers again)."""
    key = _key(username)
    with engine.begin() as connection:
        connection.execute(
            delete(reply_opt_outs).where(
                reply_opt_outs.c.account_id == account_id, reply_opt_outs.c.username == key
            )
        )
        if opted_out:
            connection.execute(
                insert(reply_opt_outs).values(account_id=account_id, username=key, created_at=now)
            )
