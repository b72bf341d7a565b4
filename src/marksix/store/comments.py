"""Comments: the durable state machine behind the reply queue.

Every transition is one conditional UPDATE (`... WHERE state = 'queued'`),
so two workers, a duplicate Huey task or a sweeper racing a slow worker can
never both act on the same comment. See `service_tables` for the states.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from marksix.errors import NotFound
from marksix.store.comment_intake import CommentIntake
from marksix.store.comment_queries import CommentQueries
from marksix.store.comment_records import (
    Admission,
    AdmissionCounts,
    Claimed,
    CommentKey,
    CommentPage,
    CommentRecord,
    IncomingComment,
    ReplyFields,
)
from marksix.store.comment_records import record_from_row as _record
from marksix.store.service_tables import FINAL_STATES, CommentState, accounts, comments, reply_sends

__all__ = [
    "Admission",
    "AdmissionCounts",
    "Claimed",
    "CommentKey",
    "CommentPage",
    "CommentRecord",
    "CommentRepository",
    "IncomingComment",
    "ReplyFields",
]


class CommentRepository(CommentIntake, CommentQueries):
    """Comments in the database. Times are passed in (aware UTC) so tests control the clock.

    The transitions are here; the reply log's reads (search, counts, throughput)
    come from `CommentQueries` (store/comment_queries.py)."""

    def __init__(self, engine: Engine, *, fsync_each: bool = False) -> None:
        self.engine = engine
        self.fsync_each = fsync_each
        self._inserts: dict[str, Any] = {}

    # --- intake: record, record_many (CommentIntake) -----------------------------------
    def queue(self, key: CommentKey, *, now: datetime) -> bool:
        """received -> queued, its task sent now; False if the comment is further along."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(comments)
                .where(_is(key), comments.c.state.in_((CommentState.RECEIVED, CommentState.QUEUED)))
                .values(state=CommentState.QUEUED, enqueued_at=now, updated_at=now)
            ).rowcount
        return bool(changed)

    # --- the worker's transitions --------------------------------------------------
    def claim(self, key: CommentKey, *, now: datetime, lease: timedelta) -> Claimed | None:
        """queued -> in_progress for this worker; None when another has it, it is done, or not due.

        What the worker checks next is read in the same transaction: the
        account's row and whether this comment is one of our own replies.
        """
        with self.engine.begin() as connection:
            record = self._claim(connection, key, now=now, lease=lease)
            if record is None:
                return None
            account = connection.execute(_ACCOUNT_ROW, {"account_id": key.account_id}).first()
            ours = connection.execute(
                _OWN_REPLY, {"account_id": key.account_id, "comment_id": key.comment_id}
            ).first()
        return Claimed(record, account, ours is not None)

    def claim_next(self, *, now: datetime, lease: timedelta) -> Claimed | None:
        """The oldest due queued comment of an account that is not blocked, claimed as `claim`
        would; None when there is none. The worker's way to take what the webhook stored.

        A read looks first, so idle workers polling the table never take the write lock.
        """
        with self.engine.connect() as connection:
            if connection.execute(_NEXT_DUE, {"due_now": now}).first() is None:
                return None
        next_due = _NEXT_DUE
        if self.engine.dialect.name == "postgresql":  # two workers take two different rows
            next_due = next_due.with_for_update(skip_locked=True)
        with self.engine.begin() as connection:
            row = connection.execute(
                update(comments)
                .where(comments.c.id == next_due.scalar_subquery(), comments.c.state == CommentState.QUEUED)
                .values(
                    state=CommentState.IN_PROGRESS,
                    started_at=now,
                    lease_expires_at=now + lease,
                    updated_at=now,
                )
                .returning(*comments.c),
                {"due_now": now},
            ).first()
            if row is None:
                return None
            record = _record(row)
            account = connection.execute(_ACCOUNT_ROW, {"account_id": record.account_id}).first()
            ours = connection.execute(
                _OWN_REPLY, {"account_id": record.account_id, "comment_id": record.comment_id}
            ).first()
        return Claimed(record, account, ours is not None)

    def _claim(
        self, connection: Any, key: CommentKey, *, now: datetime, lease: timedelta
    ) -> CommentRecord | None:
        row = connection.execute(
            _CLAIM,
            {
                "key_account": key.account_id,
                "key_comment": key.comment_id,
                "claim_now": now,
                "claim_lease": now + lease,
            },
        ).first()
        return _record(row) if row is not None else None

    def admit(
        self,
        record: CommentRecord,
        reply: ReplyFields,
        *,
        kind: str,
        now: datetime,
        lease: timedelta,
        decide: Callable[[AdmissionCounts], Admission],
    ) -> Admission:
        """Read the counts the limits need, let `decide` (worker.limits) judge them, and on
        "send" reserve the send, atomically.

        The account row is updated first: that takes a row lock on PostgreSQL
        and the write lock on SQLite, so admissions of one account are serial
        and two workers cannot both pass a limit with one slot left.
        """
        with self.engine.begin() as connection:
            connection.execute(_LOCK_ACCOUNT, {"lock_account": record.account_id})
            admission = decide(_admission_counts(connection, record, kind=kind, now=now))
            if admission.verdict != "send":
                return admission
            changed = connection.execute(
                _RESERVE_SEND,
                {
                    "owned_id": record.id,
                    "owned_started": record.started_at,
                    "reserve_now": now,
                    "reserve_lease": now + lease,
                    "reserve_intent": reply.intent,
                    "reserve_language": reply.language,
                    "reserve_kind": kind,
                    "reserve_text": reply.text,
                    "reserve_path": reply.path,
                    "reserve_details": dict(reply.details) if reply.details is not None else None,
                },
            ).rowcount
            if not changed:
                return Admission("lost", "lease_lost", "the sweeper took this comment back")
            # A retry keeps the reservation its first attempt made (unique per comment and kind).
            insert_module = postgresql if connection.dialect.name == "postgresql" else sqlite
            connection.execute(
                insert_module.insert(reply_sends).on_conflict_do_nothing(
                    index_elements=["account_id", "comment_id", "kind"]
                ),
                {
                    "account_id": record.account_id,
                    "comment_id": record.comment_id,
                    "kind": kind,
                    "sent_at": now,
                },
            )
        return Admission("send")

    def mark_replied(
        self,
        record: CommentRecord,
        *,
        reply_id: str,
        now: datetime,
        kind: str | None = None,
        reason: str | None = None,
    ) -> CommentRecord:
        """-> replied. Recorded even if the lease lapsed: the reply is out, that is what counts."""
        latency = (now - record.received_at).total_seconds()
        with self.engine.begin() as connection:
            row = connection.execute(
                _MARK_REPLIED,
                {
                    "key_account": record.account_id,
                    "key_comment": record.comment_id,
                    "done_reply_id": reply_id,
                    "done_now": now,
                    "done_latency": max(latency, 0.0),
                    "done_reason": reason,
                    "done_kind": kind,
                },
            ).first()
        return _record(row) if row is not None else self.get(record.key)

    def mark_skipped(
        self,
        record: CommentRecord,
        *,
        code: str,
        reason: str,
        now: datetime,
        reply: ReplyFields | None = None,
    ) -> CommentRecord:
        values: dict[str, Any] = {"reason_code": code, "reason": reason}
        if reply is not None:
            values |= {
                "intent": reply.intent,
                "language": reply.language,
                "reply_path": reply.path,
                "reply_details": dict(reply.details) if reply.details is not None else None,
            }
        return self._finish(record, CommentState.SKIPPED, now, **values)

    def mark_failed(
        self,
        record: CommentRecord,
        *,
        failure_class: str,
        reason: str,
        now: datetime,
        attempts: int | None = None,
    ) -> CommentRecord:
        values: dict[str, Any] = {
            "failure_class": failure_class,
            "reason_code": failure_class,
            "reason": reason,
        }
        if attempts is not None:
            values["attempts"] = attempts
        return self._finish(record, CommentState.FAILED, now, **values)

    def release(
        self,
        record: CommentRecord,
        *,
        now: datetime,
        code: str,
        reason: str,
        not_before: datetime | None,
        count_attempt: bool,
        sent_unknown: bool,
    ) -> CommentRecord:
        """in_progress -> queued: a retry (count_attempt), a rate-limit wait, or a blocked account.

        One statement: with `not_before` it also notes that the next task runs
        then (as `queue` would), so the sweeper leaves it alone meanwhile.
        `sent_unknown=False` means the platform surely did not take the reply,
        so the send reservation is dropped; otherwise it is kept, and the next
        attempt looks for our own reply first.
        """
        values: dict[str, Any] = {
            "state": CommentState.QUEUED,
            "not_before": not_before,
            "lease_expires_at": None,
            "reason_code": code,
            "reason": reason,
            "updated_at": now,
        }
        if not_before is not None:
            values["enqueued_at"] = max(not_before, now)
        if count_attempt:
            values["attempts"] = comments.c.attempts + 1
        if not sent_unknown:
            values["send_started_at"] = None
        with self.engine.begin() as connection:
            row = connection.execute(
                update(comments).where(_owned(record)).values(**values).returning(*comments.c)
            ).first()
            if row is not None and not sent_unknown:
                _drop_reservations(connection, record)
        return _record(row) if row is not None else self.get(record.key)

    def _finish(
        self, record: CommentRecord, state: CommentState, now: datetime, **values: Any
    ) -> CommentRecord:
        with self.engine.begin() as connection:
            row = connection.execute(
                update(comments)
                .where(_is(record.key), comments.c.state.not_in(FINAL_STATES))
                .values(
                    state=state,
                    finished_at=now,
                    updated_at=now,
                    lease_expires_at=None,
                    not_before=None,
                    send_started_at=None,
                    **values,
                )
                .returning(*comments.c)
            ).first()
            if row is not None:  # a comment already replied keeps its place in the windows
                _drop_reservations(connection, record)
        return _record(row) if row is not None else self.get(record.key)

    # --- the sweeper's view ------------------------------------------------------------
    def stale_in_progress(self, older_than: datetime) -> list[CommentRecord]:
        """Comments whose worker's lease ran out before `older_than` (the worker died)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(comments)
                .where(comments.c.state == CommentState.IN_PROGRESS, comments.c.lease_expires_at < older_than)
                .order_by(comments.c.id)
            ).all()
        return [_record(row) for row in rows]

    def reclaim(self, record: CommentRecord, *, now: datetime, max_attempts: int) -> str | None:
        """Take a dead worker's comment back: queued again (the attempt counts), or failed at the cap."""
        attempts = record.attempts + 1
        final = attempts >= max_attempts
        reason = "the worker stopped during this attempt"
        values: dict[str, Any] = {
            "state": CommentState.FAILED if final else CommentState.QUEUED,
            "attempts": attempts,
            "lease_expires_at": None,
            "reason_code": "worker_lost",
            "reason": f"{reason}; gave up after {attempts} attempts" if final else reason,
            "updated_at": now,
        }
        if final:
            values |= {"failure_class": "worker_lost", "finished_at": now}
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(comments)
                .where(
                    comments.c.id == record.id,
                    comments.c.state == CommentState.IN_PROGRESS,
                    comments.c.lease_expires_at == record.lease_expires_at,
                )
                .values(**values)
            ).rowcount
        return values["state"] if changed else None

    def due(self, *, now: datetime, enqueued_before: datetime, limit: int = 500) -> list[CommentKey]:
        """Comments that should be in Huey's queue but may not be: never enqueued, or long ago.

        Comments of blocked accounts wait; they are due again once unblocked.
        """
        blocked = select(accounts.c.id).where(accounts.c.status == "blocked")
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(comments.c.account_id, comments.c.comment_id)
                .where(
                    or_(
                        and_(
                            comments.c.state == CommentState.RECEIVED,
                            comments.c.received_at <= enqueued_before,
                        ),
                        and_(
                            comments.c.state == CommentState.QUEUED,
                            or_(comments.c.not_before.is_(None), comments.c.not_before <= now),
                            or_(
                                comments.c.enqueued_at.is_(None),
                                comments.c.enqueued_at <= enqueued_before,
                            ),
                        ),
                    ),
                    comments.c.account_id.not_in(blocked),
                )
                .order_by(comments.c.id)
                .limit(limit)
            ).all()
        return [CommentKey(row.account_id, row.comment_id) for row in rows]

    def prune_sends(self, before: datetime) -> int:
        """Forget send records older than `before`; only the last hour's count for the windows."""
        with self.engine.begin() as connection:
            return int(
                connection.execute(reply_sends.delete().where(reply_sends.c.sent_at < before)).rowcount
            )

    def waiting(self, account_id: str) -> list[CommentKey]:
        """Queued comments of one account (to resume them after a block is lifted)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(comments.c.account_id, comments.c.comment_id)
                .where(
                    comments.c.account_id == account_id,
                    comments.c.state.in_((CommentState.RECEIVED, CommentState.QUEUED)),
                )
                .order_by(comments.c.id)
            ).all()
        return [CommentKey(row.account_id, row.comment_id) for row in rows]

    # --- reads -------------------------------------------------------------------
    def find(self, key: CommentKey) -> CommentRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(comments).where(_is(key))).first()
        return _record(row) if row is not None else None

    def get(self, key: CommentKey) -> CommentRecord:
        record = self.find(key)
        if record is None:
            raise NotFound(f"no comment {key.comment_id!r} for account {key.account_id!r}")
        return record


def _admission_counts(connection: Any, record: CommentRecord, *, kind: str, now: datetime) -> AdmissionCounts:
    others = and_(
        comments.c.account_id == record.account_id,
        comments.c.id != record.id,
        comments.c.send_started_at.is_not(None),
    )
    same_commenter = []
    if record.from_id:
        same_commenter.append(comments.c.from_id == record.from_id)
    if record.username:
        same_commenter.append(func.lower(comments.c.username) == record.username.lower())
    last = None
    if same_commenter:
        last = connection.execute(
            select(func.max(comments.c.send_started_at)).where(others, or_(*same_commenter))
        ).scalar()
    on_post = 0
    if record.media_id:
        on_post = connection.execute(
            _REPLIES_ON_POST,
            {"post_account": record.account_id, "post_self": record.id, "post_media": record.media_id},
        ).scalar_one()
    count, oldest = 0, None
    if kind == "private":
        window = and_(
            reply_sends.c.account_id == record.account_id,
            reply_sends.c.kind == "private",
            reply_sends.c.comment_id != record.comment_id,
            reply_sends.c.sent_at > now - timedelta(hours=1),
        )
        count, oldest = connection.execute(
            select(func.count(), func.min(reply_sends.c.sent_at)).where(window)
        ).one()
    return AdmissionCounts(
        last_reply_to_commenter=last,
        replies_on_post=int(on_post),
        private_last_hour=int(count),
        oldest_private=oldest,
    )


# The worker's hottest statements, built once: SQLAlchemy then reuses their compiled
# form instead of rebuilding and re-keying a new statement for every comment.
_CLAIM = (
    update(comments)
    .where(
        comments.c.account_id == bindparam("key_account"),
        comments.c.comment_id == bindparam("key_comment"),
        comments.c.state == CommentState.QUEUED,
        or_(comments.c.not_before.is_(None), comments.c.not_before <= bindparam("claim_now")),
    )
    .values(
        state=CommentState.IN_PROGRESS,
        started_at=bindparam("claim_now"),
        lease_expires_at=bindparam("claim_lease"),
        updated_at=bindparam("claim_now"),
    )
    .returning(*comments.c)
)
_LOCK_ACCOUNT = (
    update(accounts)
    .where(accounts.c.id == bindparam("lock_account"))
    .values(updated_at=accounts.c.updated_at)
)
_REPLIES_ON_POST = select(func.count()).where(
    comments.c.account_id == bindparam("post_account"),
    comments.c.id != bindparam("post_self"),
    comments.c.send_started_at.is_not(None),
    comments.c.media_id == bindparam("post_media"),
)
_RESERVE_SEND = (
    update(comments)
    .where(
        comments.c.id == bindparam("owned_id"),
        comments.c.state == CommentState.IN_PROGRESS,
        comments.c.started_at == bindparam("owned_started"),
    )
    .values(
        send_started_at=func.coalesce(
            comments.c.send_started_at, bindparam("reserve_now", type_=comments.c.updated_at.type)
        ),
        lease_expires_at=bindparam("reserve_lease"),
        intent=bindparam("reserve_intent"),
        language=bindparam("reserve_language"),
        reply_kind=bindparam("reserve_kind"),
        reply_text=bindparam("reserve_text"),
        reply_path=bindparam("reserve_path"),
        reply_details=bindparam("reserve_details"),
        updated_at=bindparam("reserve_now"),
    )
)
#: -> replied. Recorded even if the lease lapsed: the reply is out, that is what counts.
_MARK_REPLIED = (
    update(comments)
    .where(
        comments.c.account_id == bindparam("key_account"),
        comments.c.comment_id == bindparam("key_comment"),
        comments.c.state.not_in(FINAL_STATES),
    )
    .values(
        state=CommentState.REPLIED,
        reply_id=bindparam("done_reply_id"),
        finished_at=bindparam("done_now"),
        updated_at=bindparam("done_now"),
        latency_seconds=bindparam("done_latency"),
        lease_expires_at=None,
        not_before=None,
        send_started_at=func.coalesce(
            comments.c.send_started_at, bindparam("done_now", type_=comments.c.updated_at.type)
        ),
        reason=bindparam("done_reason"),
        reason_code=None,
        failure_class=None,
        # None keeps the kind the admission stored.
        reply_kind=func.coalesce(
            bindparam("done_kind", type_=comments.c.reply_kind.type), comments.c.reply_kind
        ),
    )
    .returning(*comments.c)
)
#: The next comment a worker may take: queued, due, its account not blocked (a blocked
#: account's comments wait for `resume`). In index order (state, not_before, id): no sort.
_NEXT_DUE = (
    select(comments.c.id)
    .where(
        comments.c.state == CommentState.QUEUED,
        or_(comments.c.not_before.is_(None), comments.c.not_before <= bindparam("due_now")),
        comments.c.account_id.not_in(select(accounts.c.id).where(accounts.c.status == "blocked")),
    )
    .order_by(comments.c.not_before, comments.c.id)
    .limit(1)
)
_ACCOUNT_ROW = select(accounts).where(accounts.c.id == bindparam("account_id"))
_OWN_REPLY = select(comments.c.id).where(
    comments.c.account_id == bindparam("account_id"), comments.c.reply_id == bindparam("comment_id")
)


def _is(key: CommentKey) -> Any:
    return and_(comments.c.account_id == key.account_id, comments.c.comment_id == key.comment_id)


def _owned(record: CommentRecord) -> Any:
    """Still this worker's: in progress since the claim that produced `record`."""
    return and_(
        comments.c.id == record.id,
        comments.c.state == CommentState.IN_PROGRESS,
        comments.c.started_at == record.started_at,
    )


def _drop_reservations(connection: Any, record: CommentRecord) -> None:
    connection.execute(
        reply_sends.delete().where(
            reply_sends.c.account_id == record.account_id, reply_sends.c.comment_id == record.comment_id
        )
    )
