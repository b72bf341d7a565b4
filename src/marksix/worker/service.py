"""ReplyService: take one comment from queued to replied, skipped or failed.

Exactly one reply per comment, whatever happens around it:
- `claim` is a conditional UPDATE, so a duplicate task or a second worker
  finds nothing to do;
- just before posting, the comment records `send_started_at`; from then on
  a retry (after a timeout, a 5xx, or a worker that died mid-call) first
  lists the comment's replies and, if ours is there, records it instead of
  posting again;
- once replied, skipped or failed, nothing moves the comment again.

Comments that get no reply, each with its reason in the log: the account's
own comments and replies (loop prevention), replies inside threads (we
answer top-level comments only: Instagram attaches a reply to a reply to
the top-level comment anyway, and answering in threads invites loops),
comments on live video (no public replies there), comments the language
layer marks `ignore`, and those over the commenter cooldown or post cap.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import structlog

from marksix.errors import (
    ApiError,
    ConfigError,
    PermanentApiError,
    PolicyBlocked,
    RateLimited,
    TokenExpired,
)
from marksix.instagram.errors import missing_permission, restriction
from marksix.store.account_health import AccountHealth
from marksix.store.accounts import Account, AccountRepository
from marksix.store.comments import Claimed, CommentKey, CommentRecord, CommentRepository, ReplyFields
from marksix.store.opt_outs import is_opted_out, set_opted_out
from marksix.store.service_tables import CommentState
from marksix.worker import metrics
from marksix.worker.limits import Limits, UsageReport, limits_for, retry_delay, throttled_until, usage_pause
from marksix.worker.limits import admission as admission_for
from marksix.worker.moderation import is_spam, moderate
from marksix.worker.policy import back_off

log = structlog.get_logger("marksix.worker")


class GraphApi(Protocol):
    """The part of instagram.graph.GraphClient the worker uses (fakes implement it in tests)."""

    @property
    def usage(self) -> UsageReport: ...
    def reply(self, comment_id: str, message: str) -> str: ...
    def private_reply(self, ig_user_id: str, comment_id: str, message: str) -> str: ...
    def list_replies(self, comment_id: str) -> list[dict[str, Any]]: ...
    def hide(self, comment_id: str, hidden: bool = True) -> None: ...
    def list_media(self, ig_user_id: str, limit: int = 10) -> list[dict[str, Any]]: ...
    def list_comments(
        self, media_id: str, limit: int = 50, *, max_pages: int = 1
    ) -> list[dict[str, Any]]: ...
    def refresh_access_token(self) -> dict[str, Any]: ...


class ReplyLike(Protocol):
    """What the language layer returns (marksix.language.Reply)."""

    @property
    def intent(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def request(self) -> Mapping[str, Any]: ...
    @property
    def tickets(self) -> Sequence[tuple[int, ...]]: ...
    @property
    def text(self) -> str | None: ...
    @property
    def path(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def topic(self) -> str | None: ...


#: Topics a person should see in the reply log (the reply itself already carries the help lines).
FLAGGED_TOPICS = frozenset({"crisis"})


GraphFor = Callable[[Account], GraphApi]
ReplyFor = Callable[[CommentRecord, Account], ReplyLike]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Unmoved(StrEnum):
    """Outcomes of `handle` that are not a comment state: the comment did not move on."""

    #: queued with no time: the account is blocked until a person stores a new token or unblocks it
    WAITING = "waiting"
    #: nothing to do: a duplicate task, done already, not due yet
    NOT_CLAIMED = "not_claimed"
    #: the sweeper took the comment back from this slow worker
    LOST = "lost"


@dataclass(frozen=True)
class Outcome:
    """What `handle` did. `state` is the comment's new state or an `Unmoved` one:

    replied | skipped | failed   final; `code` and `reason` say why (also stored)
    queued                       try again at `retry_at` (a retry, throttling, a pause)
    waiting, not_claimed, lost   see `Unmoved`
    """

    state: CommentState | Unmoved
    code: str | None = None
    reason: str | None = None
    retry_at: datetime | None = None  # when queued: schedule the next attempt then

    @property
    def wants_retry(self) -> bool:
        return self.state == CommentState.QUEUED and self.retry_at is not None


NOT_CLAIMED = Outcome(Unmoved.NOT_CLAIMED)
#: The skip code and reason of the account's own comments (the webhook route uses them too).
OWN_COMMENT = ("own_comment", "written by the account itself")
#: Instagram accepts the one private reply to a comment within 7 days of it.
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def is_ours(
    account_id: str,
    *,
    author_id: str | None,
    username: str | None = None,
    is_self: bool = False,
    account: Account | None = None,
) -> bool:
    """The one test of "did the account write this?": Meta's own loop guard (`self_ig_scoped_id`,
    or the author's id is the account's), one of the account's other ids, or its username.
    Without the account's row (the webhook route) only what the event itself shows counts."""
    if is_self:
        return True
    ids = {account_id, *map(str, account.settings.get("other_ids", ()))} if account else {account_id}
    if author_id is not None and str(author_id) in ids:
        return True
    return (
        account is not None
        and isinstance(username, str)
        and username.lower().lstrip("@") == account.username.lower().lstrip("@")
    )


def own_reply_id(replies: Sequence[Mapping[str, Any]], account: Account) -> str | None:
    """The id of a reply written by `account` among a comment's replies, if any."""
    for reply in replies:
        author = reply.get("from") if isinstance(reply.get("from"), Mapping) else {}
        author_id = author.get("id") if author else None
        username = reply.get("username") or (author.get("username") if author else None)
        ours = is_ours(
            account.id,
            author_id=None if author_id is None else str(author_id),
            username=username,
            account=account,
        )
        if ours and reply.get("id") is not None:
            return str(reply["id"])
    return None


def _details(reply: ReplyLike) -> dict[str, Any]:
    details: dict[str, Any] = {
        "request": dict(reply.request),
        "tickets": [list(ticket) for ticket in reply.tickets],
    }
    if reply.topic:
        details["topic"] = reply.topic
    if reply.topic in FLAGGED_TOPICS:
        details["flag"] = reply.topic
    return details


class ReplyService:
    """The state machine for one comment at a time; safe to run in many workers at once."""

    def __init__(
        self,
        comments: CommentRepository,
        accounts: AccountRepository,
        *,
        graph_for: GraphFor,
        reply_for: ReplyFor,
        limits: Limits | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        health: AccountHealth | None = None,
    ) -> None:
        self.comments = comments
        self.health = health or AccountHealth(comments.engine)
        self.accounts = accounts
        self.graph_for = graph_for
        self.reply_for = reply_for
        self.limits = limits or Limits()
        self.clock = clock
        self.rng = rng or random.Random()

    def handle(self, key: CommentKey) -> Outcome:
        # One transaction claims the comment and reads what the first checks need.
        claimed = self.comments.claim(key, now=self.clock(), lease=self.limits.lease)
        if claimed is None:
            return NOT_CLAIMED
        return self._attempt(claimed)

    def handle_next(self) -> Outcome | None:
        """Claim the oldest due comment in the table and handle it; None when none is due.

        The same conditional claim as `handle`, so a task for the same comment
        (the sweeper's, a retry's) finds nothing to do afterwards.
        """
        claimed = self.comments.claim_next(now=self.clock(), lease=self.limits.lease)
        return self._attempt(claimed) if claimed is not None else None

    def _attempt(self, claimed: Claimed) -> Outcome:
        record = claimed.record
        bound = log.bind(
            account_id=record.account_id, comment_id=record.comment_id, attempt=record.attempts + 1
        )
        try:
            account = self.accounts.from_row(claimed.account_row) if claimed.account_row else None
            outcome = _Attempt(self, record, bound, own_reply=claimed.is_own_reply).run(account)
        except Exception as error:  # a bug or a database hiccup must not strand the comment
            bound.exception("reply_attempt_crashed")
            outcome = self._retry(
                record, "internal_error", f"{type(error).__name__}: {error}", keep_send=True
            )
        bound.info("comment_handled", state=str(outcome.state), code=outcome.code, reason=outcome.reason)
        return outcome

    # Shared by the attempt and the crash handler.
    def _retry(self, record: CommentRecord, failure_class: str, reason: str, *, keep_send: bool) -> Outcome:
        now = self.clock()
        attempts = record.attempts + 1
        final = attempts >= self.limits.max_attempts
        metrics.REPLY_FAILURES.labels(failure_class, "yes" if final else "no").inc()
        if final:
            note = "; the reply may have been posted" if failure_class == "unknown_outcome" else ""
            self.comments.mark_failed(
                record,
                failure_class=failure_class,
                reason=f"{reason} (gave up after {attempts} attempts{note})",
                now=now,
                attempts=attempts,
            )
            return Outcome(CommentState.FAILED, failure_class, reason)
        retry_at = now + retry_delay(attempts, self.limits, self.rng)
        self.comments.release(
            record,
            now=now,
            code=failure_class,
            reason=reason,
            not_before=retry_at,
            count_attempt=True,
            sent_unknown=keep_send,
        )
        return Outcome(CommentState.QUEUED, failure_class, reason, retry_at)


class _Attempt:
    """One attempt at one claimed comment (kept apart so handle() stays readable)."""

    def __init__(self, service: ReplyService, record: CommentRecord, log: Any, *, own_reply: bool) -> None:
        self.service = service
        self.record = record
        self.log = log
        self.own_reply = own_reply
        # An earlier attempt started a send whose outcome we never learned.
        self.uncertain = record.send_started_at is not None
        self.sending = False  # between admission and the platform's answer

    def run(self, account: Account | None) -> Outcome:
        service, record = self.service, self.record
        if account is None:
            return self.skip("unknown_account", f"no account {record.account_id} is connected")
        not_ours = self.not_for_us(account)
        if not_ours is not None:
            return self.skip(*not_ours)
        try:
            limits = limits_for(service.limits, account.id, account.settings)
        except ConfigError as error:  # a person must fix the settings; replies wait meanwhile
            self.block(account, "bad_settings", str(error))
            return self.wait(str(error))
        if account.blocked:
            return self.wait(account.alert or "account blocked")
        now = service.clock()
        if account.paused_at(now) and account.paused_until is not None:
            return self.defer(
                account.paused_until, "account_paused", account.pause_reason or "account paused"
            )
        if not account.has_token:
            self.block(
                account, "no_token", "no access token is stored for this account; add one to start replying"
            )
            return self.wait("no access token")
        try:
            graph = service.graph_for(account)
        except ConfigError as error:
            self.block(account, "no_token", str(error))
            return self.wait(str(error))
        try:
            return self.send(graph, account, limits)
        except RateLimited as error:
            until = throttled_until(error.retry_after, limits, service.clock())
            reason = f"throttled by Instagram (code {error.code}); trying again at {until:%H:%M:%S} UTC"
            service.accounts.pause(account.id, until, reason, now=service.clock())
            metrics.REPLY_FAILURES.labels("rate_limited", "no").inc()
            return self.defer(until, "rate_limited", reason)
        except TokenExpired as error:
            self.block(
                account, "token_expired", f"access token expired or revoked ({error}); store a new token"
            )
            return self.wait("access token expired")
        except PolicyBlocked as error:
            # Meta: "wait and retry". The account pauses (longer each time) and resumes by itself.
            state = back_off(
                service.health, account.id, error, limits=limits, now=service.clock(), rng=service.rng
            )
            until = state.until or service.clock()
            return self.defer(until, "policy_blocked", f"Instagram policy block (code {error.code}); waiting")
        except PermanentApiError as error:
            missing = missing_permission(error) or restriction(error)
            if missing is not None:
                # Every later comment would fail the same way: hold them all, and say what to grant.
                self.block(account, "missing_permission", missing)
                return self.wait(missing)
            metrics.REPLY_FAILURES.labels("permanent", "yes").inc()
            note = " (an earlier attempt's outcome was unknown)" if self.uncertain else ""
            reason = f"Instagram refused the reply (code {error.code}): {error}{note}"
            service.comments.mark_failed(
                record, failure_class="permanent", reason=reason, now=service.clock()
            )
            return Outcome(CommentState.FAILED, "permanent", reason)
        except ApiError as error:  # NetworkError, RetryableApiError, or an unclassified one
            # No answer or a server error: the reply may or may not be out.
            kind = "unknown_outcome" if self.sending or self.uncertain else "retryable"
            return service._retry(record, kind, f"{type(error).__name__}: {error}", keep_send=True)
        finally:
            self.watch_usage(graph, account, limits)

    def opted_out(self, reply: ReplyLike) -> bool:
        """Honour "stop replying to me": no reply until the commenter asks for numbers again.

        The acknowledgement of the request itself goes out, and crisis replies always do.
        """
        service, record = self.service, self.record
        if not record.username:
            return False
        engine, now = service.comments.engine, service.clock()
        if reply.topic == "stop":
            set_opted_out(engine, record.account_id, record.username, True, now=now)
            return False
        if reply.topic == "crisis" or not is_opted_out(engine, record.account_id, record.username):
            return False
        if reply.intent == "pick":
            set_opted_out(engine, record.account_id, record.username, False, now=now)
            return False
        return True

    def send(self, graph: GraphApi, account: Account, limits: Limits) -> Outcome:
        service, record = self.service, self.record
        if self.uncertain and limits.reply_mode == "public":
            found = own_reply_id(graph.list_replies(record.comment_id), account)
            if found is not None:
                return self.replied(found, "found our reply from an earlier attempt; not posted again")
            self.uncertain = False  # checked: the earlier attempt did not post
        commented_at = record.commented_at
        if (
            limits.reply_mode == "private"
            and commented_at
            and service.clock() - commented_at > PRIVATE_REPLY_WINDOW
        ):
            return self.skip("private_reply_expired", "Instagram allows a private reply within 7 days only")
        reply = service.reply_for(record, account)
        fields = ReplyFields(reply.intent, reply.language, reply.text, reply.path, _details(reply))
        if reply.intent == "ignore" or not reply.text:
            reason = reply.reason or "the language layer ignores this comment"
            if is_spam(reply.intent, reply.reason):
                hidden = moderate(
                    service.health, graph, account.id, record.comment_id, reason, now=service.clock()
                )
                reason = f"{reason}; {hidden}" if hidden else reason
            return self.skip("ignored", reason, fields)
        now, kind = service.clock(), limits.reply_mode
        if self.opted_out(reply):
            return self.skip("opted_out", "the commenter asked not to be replied to on this account", fields)
        admission = service.comments.admit(
            record,
            fields,
            kind=kind,
            now=now,
            lease=limits.lease,
            decide=lambda counts: admission_for(record, counts, limits, kind=kind, now=now),
        )
        if admission.verdict == "skip":
            return self.skip(admission.code or "limit", admission.reason or "over a limit", fields)
        if admission.verdict == "defer" and admission.retry_at is not None:
            return self.defer(
                admission.retry_at, admission.code or "limit", admission.reason or "over a limit"
            )
        if admission.verdict != "send":
            return Outcome(Unmoved.LOST, admission.code, admission.reason)  # the sweeper took it back
        self.sending = True
        if limits.reply_mode == "private":
            reply_id = graph.private_reply(account.id, record.comment_id, reply.text)
        else:
            reply_id = graph.reply(record.comment_id, reply.text)
        self.sending = False
        if account.alert is not None and not account.blocked:
            service.health.policy_lifted(account.id, now=service.clock())  # the block has lifted
        return self.replied(reply_id, None, kind=limits.reply_mode)

    # --- outcomes ------------------------------------------------------------------
    def replied(self, reply_id: str, note: str | None, *, kind: str | None = None) -> Outcome:
        service = self.service
        done = service.comments.mark_replied(
            self.record, reply_id=reply_id, now=service.clock(), kind=kind, reason=note
        )
        metrics.REPLIES_SENT.labels(done.reply_kind or "public").inc()
        if done.latency_seconds is not None:
            metrics.REPLY_LATENCY.observe(done.latency_seconds)
        return Outcome(CommentState.REPLIED, None, note)

    def skip(self, code: str, reason: str, reply: ReplyFields | None = None) -> Outcome:
        self.service.comments.mark_skipped(
            self.record, code=code, reason=reason, now=self.service.clock(), reply=reply
        )
        metrics.COMMENTS_SKIPPED.labels(code).inc()
        return Outcome(CommentState.SKIPPED, code, reason)

    def defer(self, until: datetime, code: str, reason: str) -> Outcome:
        self.service.comments.release(
            self.record,
            now=self.service.clock(),
            code=code,
            reason=reason,
            not_before=until,
            count_attempt=False,
            sent_unknown=self.uncertain,
        )
        return Outcome(CommentState.QUEUED, code, reason, until)

    def wait(self, reason: str) -> Outcome:
        """Back to the queue with no time set: it resumes when the account is unblocked."""
        self.service.comments.release(
            self.record,
            now=self.service.clock(),
            code="account_blocked",
            reason=f"waiting: {reason}",
            not_before=None,
            count_attempt=False,
            sent_unknown=self.uncertain,
        )
        return Outcome(Unmoved.WAITING, "account_blocked", reason)

    # --- checks ----------------------------------------------------------------------
    def not_for_us(self, account: Account) -> tuple[str, str] | None:
        record = self.record
        ours = is_ours(
            account.id,
            author_id=record.from_id,
            username=record.username,
            is_self=bool(record.is_self),
            account=account,
        )
        if ours:
            return OWN_COMMENT
        if self.own_reply:
            return "own_comment", "a reply this service posted"
        if record.parent_id is not None:
            return "reply_in_thread", "a reply inside a thread; only top-level comments get an answer"
        if record.is_live:
            return "live_comment", "comments on live video cannot get a public reply"
        return None

    def block(self, account: Account, code: str, alert: str) -> None:
        if self.service.accounts.block(account.id, alert, now=self.service.clock()):
            metrics.ACCOUNT_BLOCKS.labels(code).inc()
            self.log.error("account_blocked", alert=alert, code=code, username=account.username)

    def watch_usage(self, graph: GraphApi, account: Account, limits: Limits) -> None:
        pause = usage_pause(graph.usage, limits, self.service.clock())
        if pause is not None:
            until, reason = pause
            self.service.accounts.pause(account.id, until, reason, now=self.service.clock())
            self.log.warning("account_slowed_down", until=until.isoformat(), reason=reason)
