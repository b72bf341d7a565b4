"""An account's health in the database: policy back-off, person's pause, moderation choice and log.

Policy blocks (Graph code 368, 4/2207051) are waited out: each block in a
row doubles the wait (see `worker.policy`), the account carries an alert
meanwhile, and the first reply that goes through again clears both. The
back-off is kept in `account_health`; the pause itself is the account's
`paused_until`, which the worker already honours for every comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select, update

from marksix.errors import InputError, NotFound
from marksix.store.engine import write_transaction
from marksix.store.health_tables import account_health, moderation_log
from marksix.store.service_tables import CommentState, accounts, comments

#: The alert of an account a person paused: `resume` lifts it (and only `unblock` lifts others).
PAUSED_BY_PERSON = "paused by a person; replies wait until it is resumed"


@dataclass(frozen=True)
class PolicyState:
    strikes: int
    blocked_at: datetime | None
    until: datetime | None

    def waiting(self, now: datetime) -> bool:
        return self.until is not None and self.until > now


@dataclass(frozen=True)
class ModerationEntry:
    account_id: str
    comment_id: str
    action: str  # hidden | unhidden | failed
    reason: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "comment_id": self.comment_id,
            "action": self.action,
            "reason": self.reason,
            "at": self.at.isoformat(),
        }


class AccountHealth:
    """Every method is one short transaction on `account_health`, `moderation_log` and `accounts`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- policy blocks ------------------------------------------------------------
    def policy(self, account_id: str) -> PolicyState:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(account_health).where(account_health.c.account_id == account_id)
            ).first()
        if row is None:
            return PolicyState(0, None, None)
        return PolicyState(int(row.policy_strikes), row.policy_blocked_at, row.policy_until)

    def policy_block(
        self,
        account_id: str,
        *,
        now: datetime,
        wait_for: Callable[[int], datetime],
        alert: Callable[[int, datetime], str],
    ) -> PolicyState:
        """Record one more block and pause the account until `wait_for(strikes)`.

        Workers that hit the same block while the account already waits (they
        were sent before the pause) do not count again: they get the pause in place.
        """
        # Read then write: take the write lock up front (SQLite), and the row (PostgreSQL).
        with write_transaction(self.engine) as connection:
            row = connection.execute(
                select(account_health).where(account_health.c.account_id == account_id).with_for_update()
            ).first()
            if row is not None and row.policy_until is not None and row.policy_until > now:
                return PolicyState(int(row.policy_strikes), row.policy_blocked_at, row.policy_until)
            strikes = (int(row.policy_strikes) if row is not None else 0) + 1
            since = row.policy_blocked_at if row is not None and row.policy_strikes else now
            until = wait_for(strikes)
            values = {"policy_strikes": strikes, "policy_blocked_at": since, "policy_until": until}
            self._upsert(connection, account_id, now, values)
            connection.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(
                    paused_until=until,
                    pause_reason=alert(strikes, until),
                    alert=alert(strikes, until),
                    updated_at=now,
                )
            )
        return PolicyState(strikes, since, until)

    def policy_lifted(self, account_id: str, *, now: datetime) -> bool:
        """A reply went out: forget the back-off and its alert. True when there was one."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(account_health)
                .where(account_health.c.account_id == account_id, account_health.c.policy_strikes > 0)
                .values(policy_strikes=0, policy_blocked_at=None, policy_until=None, updated_at=now)
            ).rowcount
            if changed:
                connection.execute(
                    update(accounts)
                    .where(accounts.c.id == account_id, accounts.c.status == "active")
                    .values(alert=None, paused_until=None, pause_reason=None, updated_at=now)
                )
        return bool(changed)

    # --- a person's pause, resume and unblock -----------------------------------------
    def pause(self, account_id: str, *, now: datetime) -> None:
        """Hold every reply of the account until `resume` (comments keep arriving and wait)."""
        self._require(account_id)
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.status != "blocked")
                .values(status="blocked", alert=PAUSED_BY_PERSON, blocked_at=now, updated_at=now)
            )

    def resume(self, account_id: str, *, now: datetime) -> int:
        """Lift a person's pause or skip the rest of a policy back-off; waiting comments are due now.

        A block for another reason (a missing permission, a restriction, a dead
        token) stays: the person fixes that, then uses `unblock`.
        """
        status, alert = self._require(account_id)
        if status == "blocked" and alert != PAUSED_BY_PERSON:
            raise InputError(
                f"account {account_id} is blocked, not paused: {alert}. "
                "Fix that first, then run `marksix accounts unblock`"
            )
        return self._lift(account_id, now=now)

    def unblock(self, account_id: str, *, now: datetime) -> int:
        """Lift any block or pause once a person has fixed its cause; waiting comments are due now."""
        self._require(account_id)
        return self._lift(account_id, now=now)

    def _lift(self, account_id: str, *, now: datetime) -> int:
        with self.engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(
                    status="active",
                    alert=None,
                    blocked_at=None,
                    paused_until=None,
                    pause_reason=None,
                    updated_at=now,
                )
            )
            connection.execute(
                update(account_health)
                .where(account_health.c.account_id == account_id)
                .values(policy_strikes=0, policy_blocked_at=None, policy_until=None, updated_at=now)
            )
            # Comments deferred to the end of the pause are due now; the sweeper queues them.
            connection.execute(
                update(comments)
                .where(
                    comments.c.account_id == account_id,
                    comments.c.state == CommentState.QUEUED,
                    comments.c.not_before > now,
                )
                .values(not_before=now, enqueued_at=None, updated_at=now)
            )
            waiting = connection.execute(
                select(func.count())
                .select_from(comments)
                .where(
                    comments.c.account_id == account_id,
                    comments.c.state.in_((CommentState.RECEIVED, CommentState.QUEUED)),
                )
            ).scalar_one()
        return int(waiting)

    # --- moderation ---------------------------------------------------------------
    def hides_spam(self, account_id: str) -> bool:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(account_health.c.hide_spam).where(account_health.c.account_id == account_id)
            ).scalar_one_or_none()
        return bool(value)

    def set_hide_spam(self, account_id: str, enabled: bool, *, now: datetime) -> None:
        self._require(account_id)
        with self.engine.begin() as connection:
            self._upsert(connection, account_id, now, {"hide_spam": enabled})

    def log_moderation(
        self, account_id: str, comment_id: str, action: str, reason: str, *, now: datetime
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                moderation_log.insert().values(
                    account_id=account_id, comment_id=comment_id, action=action, reason=reason, at=now
                )
            )

    def moderation(self, account_id: str, comment_ids: list[str] | None = None) -> dict[str, ModerationEntry]:
        """The latest moderation entry per comment of the account (of `comment_ids`, if given)."""
        condition = moderation_log.c.account_id == account_id
        if comment_ids is not None:
            if not comment_ids:
                return {}
            condition = and_(condition, moderation_log.c.comment_id.in_(comment_ids))
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(moderation_log).where(condition).order_by(moderation_log.c.id)
            ).all()
        latest: dict[str, ModerationEntry] = {}
        for row in rows:
            latest[row.comment_id] = ModerationEntry(
                row.account_id, row.comment_id, row.action, row.reason, row.at
            )
        return latest

    # --- helpers ------------------------------------------------------------------
    def _require(self, account_id: str) -> tuple[str, str | None]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts.c.status, accounts.c.alert).where(accounts.c.id == account_id)
            ).first()
        if row is None:
            raise NotFound(f"no account with id {account_id!r}; `marksix accounts list` shows them")
        return str(row.status), row.alert

    @staticmethod
    def _upsert(connection: Any, account_id: str, now: datetime, values: dict[str, Any]) -> None:
        changed = connection.execute(
            update(account_health)
            .where(account_health.c.account_id == account_id)
            .values(**values, updated_at=now)
        ).rowcount
        if not changed:
            connection.execute(
                account_health.insert().values(account_id=account_id, updated_at=now, **values)
            )
