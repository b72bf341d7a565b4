"""Scheduled posts: the draw-day post and the results post, once per draw and account.

Each due post is claimed in the database before it is published (see
post_store.py), so several processes and restarts still make one post:

- the claim is an insert, or a conditional update of a row whose retry is
  due or whose holder died (its lease ran out);
- just before publishing the row records `send_started_at` and the caption;
  after an answer that never came (a timeout, a 5xx) the next attempt first
  looks for that caption among the account's media, and records the post it
  finds instead of publishing again;
- the publishing limit (`content_publishing_limit`) is checked by the Graph
  client before each post; over it, the post waits and tries again later;
- a failure is retried with bounded backoff, then marked failed, logged as
  an error and shown in /healthz and on the dashboard.

It runs on the results poller's thread (see service.py), so it goes wherever
the poller goes: the server's autopilot, or the one scheduler process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from marksix.autopilot.post_store import PostRepository, PostRow, Schedule
from marksix.autopilot.post_text import (
    KIND_LABELS,
    DuePost,
    draw_day_due,
    next_moment,
    no_lines_scorecard,
    results_caption,
    results_due,
)
from marksix.errors import ApiError, ConfigError, MarksixError, NetworkError, PermanentApiError, RateLimited

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from marksix.card.drawing import CardImage
    from marksix.domain.calendar import NextDraw
    from marksix.domain.draws import DrawHistory
    from marksix.store.accounts import Account, AccountRepository

log = structlog.get_logger("marksix.autopilot.posts")

#: How many of the account's latest media are searched for a post whose outcome was unknown.
MEDIA_LOOKBACK = 25
#: Failed posts newer than this are shown as alerts.
ALERT_WINDOW = dt.timedelta(days=3)


class PostGraph(Protocol):
    """The part of the Graph client posting uses (instagram.graph.GraphClient)."""

    def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str: ...
    def list_media(self, ig_user_id: str, limit: int = 10) -> list[dict[str, Any]]: ...


class Archive(Protocol):
    def history(self) -> DrawHistory: ...
    def next_draw(self, now: dt.datetime) -> NextDraw: ...


@dataclass(frozen=True)
class PostPolicy:
    #: A claim is held this long; longer than any publish (the container wait is 60 s).
    lease: dt.timedelta = dt.timedelta(minutes=10)
    retry_base: dt.timedelta = dt.timedelta(minutes=1)
    retry_cap: dt.timedelta = dt.timedelta(minutes=30)
    #: Over the publishing limit (or throttled): wait at least this long.
    limit_wait: dt.timedelta = dt.timedelta(minutes=30)
    max_attempts: int = 5

    def delay(self, attempts: int) -> dt.timedelta:
        grown: dt.timedelta = self.retry_base * 2 ** max(attempts - 1, 0)
        return min(grown, self.retry_cap)


@dataclass(frozen=True)
class Publishing:
    """Where the posts go and how: what the wiring hands the autopilot."""

    accounts: AccountRepository
    graph_for: Callable[[Account], Any]  # -> a PostGraph
    home: Path
    public_url: str | None
    font: str | None = None
    #: Whether an account that never saved a schedule posts (the sandbox's account does).
    default_enabled: bool = False
    policy: PostPolicy = dataclasses.field(default_factory=PostPolicy)


@dataclass(frozen=True, slots=True)
class PostOutcome:
    account_id: str
    kind: str
    draw_date: dt.date
    state: str  # published | pending | failed | lost
    media_id: str | None = None
    note: str | None = None


def own_post_id(media: Sequence[Mapping[str, Any]], caption: str | None) -> str | None:
    """The id of the account's media whose caption is exactly the one we sent."""
    if not caption:
        return None
    for item in media:
        if item.get("caption") == caption and item.get("id") is not None:
            return str(item["id"])
    return None


class ScheduledPosts:
    def __init__(
        self,
        engine: Engine,
        archive: Archive,
        publishing: Publishing,
        *,
        clock: Callable[[], dt.datetime],
        holder: str | None = None,
    ) -> None:
        self.engine, self.archive, self.publishing, self.clock = engine, archive, publishing, clock
        self.posts = PostRepository(engine)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    # --- what is due -----------------------------------------------------------------
    def schedules(self, account_id: str) -> list[Schedule]:
        return self.posts.schedules(account_id, default_enabled=self.publishing.default_enabled)

    def due(self, now: dt.datetime) -> list[DuePost]:
        history = self.archive.history()
        latest = history.latest if len(history) else None
        next_draw = self.archive.next_draw(now)
        found = []
        for account in self.publishing.accounts.all():
            for schedule in self.schedules(account.id):
                if not schedule.enabled:
                    continue
                if schedule.kind == "draw_day":
                    due = draw_day_due(account.id, schedule.post_time, next_draw, now)
                else:
                    due = results_due(account.id, schedule.post_time, latest, now)
                if due is not None:
                    found.append(due)
        return found

    def next_wake(self, now: dt.datetime) -> dt.datetime | None:
        """The next draw-day post time, and the next retry, whichever comes first."""
        times = [
            schedule.post_time
            for account in self.publishing.accounts.all()
            for schedule in self.schedules(account.id)
            if schedule.enabled and schedule.kind == "draw_day"
        ]
        moments = [moment for moment in (next_moment(times, now),) if moment is not None]
        moments += [
            row.not_before
            for row in self.posts.history(limit=20)
            if row.state == "pending" and row.not_before is not None and row.not_before > now
        ]
        return min(moments, default=None)

    # --- the run -----------------------------------------------------------------------
    def run_due(self, now: dt.datetime | None = None) -> list[PostOutcome]:
        """Publish whatever is due and not yet done; safe to call from many processes at once."""
        now = now or self.clock()
        outcomes = []
        for due in self.due(now):
            existing = self.posts.get(due.account_id, due.draw_date, due.kind)
            if existing is not None and existing.state in ("published", "failed"):
                continue
            account = self.publishing.accounts.find(due.account_id)
            if account is None or account.blocked or not account.has_token:
                continue  # a person must act first; the post waits for the account
            post = self.posts.claim(
                due.account_id,
                due.draw_date,
                due.kind,
                draw_id=due.draw_id,
                holder=self.holder,
                now=now,
                lease=self.publishing.policy.lease,
            )
            if post is None:
                continue  # published, waiting for its retry, or another process has it
            outcomes.append(self._attempt(post, account, now))
        return outcomes

    def _attempt(self, post: PostRow, account: Account, now: dt.datetime) -> PostOutcome:
        bound = log.bind(account_id=post.account_id, kind=post.kind, draw_date=post.draw_date.isoformat())
        sending = False
        uncertain = post.send_started_at is not None
        try:
            graph = self.publishing.graph_for(account)
            if uncertain:
                found = own_post_id(graph.list_media(account.id, MEDIA_LOOKBACK), post.caption)
                if found is not None:
                    self.posts.published(post, self.holder, media_id=found, image_url=None, now=self.clock())
                    bound.info("scheduled_post_found", media_id=found)
                    return PostOutcome(
                        post.account_id,
                        post.kind,
                        post.draw_date,
                        "published",
                        found,
                        "found from an earlier attempt",
                    )
                self.posts.send_checked(post, self.holder, now=self.clock())
                uncertain = False
            card = self.compose(post, now)
            if not self.posts.start_send(post, self.holder, caption=card.caption, now=self.clock()):
                return PostOutcome(post.account_id, post.kind, post.draw_date, "lost")
            post = dataclasses.replace(post, caption=card.caption)
            sending = True
            published = self._publish(card, graph, account.id, now)
            sending = False
        except RateLimited as error:
            wait = max(self.publishing.policy.limit_wait, dt.timedelta(seconds=error.retry_after or 0))
            return self._retry(
                post, bound, f"over the publishing limit or throttled: {error}", wait, uncertain
            )
        except PermanentApiError as error:
            return self._fail(post, bound, f"Instagram refused the post (code {error.code}): {error}")
        except (NetworkError, ApiError) as error:
            # No answer, or a server error: the post may be out. Look for it before trying again.
            return self._retry(post, bound, f"{type(error).__name__}: {error}", None, uncertain or sending)
        except MarksixError as error:  # a setting to fix (the public URL, a token): retried, then alerted
            return self._retry(post, bound, f"{type(error).__name__}: {error}", None, uncertain or sending)
        except Exception as error:  # a bug must not strand the post: its retries end in an alert
            bound.exception("scheduled_post_crashed")
            return self._retry(post, bound, f"{type(error).__name__}: {error}", None, uncertain or sending)
        self.posts.published(
            post, self.holder, media_id=published[0], image_url=published[1], now=self.clock()
        )
        bound.info("scheduled_post_published", media_id=published[0])
        return PostOutcome(post.account_id, post.kind, post.draw_date, "published", published[0])

    def _publish(self, card: CardImage, graph: Any, account_id: str, now: dt.datetime) -> tuple[str, str]:
        from marksix.publishing import publish_card

        if not self.publishing.public_url:
            raise ConfigError(
                "scheduled posts need the server's public https address: set MARKSIX_PUBLIC_URL"
            )
        done = publish_card(
            card, graph, account_id, home=self.publishing.home, public_url=self.publishing.public_url, now=now
        )
        return done.media_id, done.image_url

    def _retry(
        self, post: PostRow, bound: Any, reason: str, wait: dt.timedelta | None, uncertain: bool
    ) -> PostOutcome:
        policy, now = self.publishing.policy, self.clock()
        attempts = max(post.attempts, 1)
        if attempts >= policy.max_attempts:
            note = "; it may have been published" if uncertain else ""
            return self._fail(post, bound, f"{reason} (gave up after {attempts} attempts{note})")
        not_before = now + (wait if wait is not None else policy.delay(attempts))
        self.posts.retry_later(
            post, self.holder, error=reason, not_before=not_before, now=now, uncertain=uncertain
        )
        bound.warning("scheduled_post_retry", reason=reason, not_before=not_before.isoformat())
        return PostOutcome(post.account_id, post.kind, post.draw_date, "pending", None, reason)

    def _fail(self, post: PostRow, bound: Any, reason: str) -> PostOutcome:
        self.posts.fail(post, self.holder, error=reason, now=self.clock())
        bound.error("scheduled_post_failed", reason=reason)
        return PostOutcome(post.account_id, post.kind, post.draw_date, "failed", None, reason)

    # --- what the posts say ------------------------------------------------------------
    def compose(self, post: PostRow | DuePost, now: dt.datetime) -> CardImage:
        """The card and caption of a post: the draw-day card, or the card with the
        latest result and the settled record of our lines in the caption."""
        from marksix.card.content import card_content
        from marksix.card.drawing import render_card

        history = self.archive.history()
        card = render_card(card_content(history, self.archive.next_draw(now)), font_path=self.publishing.font)
        if post.kind == "draw_day":
            return card
        draw = next((draw for draw in reversed(history.draws) if draw.date == post.draw_date), None)
        if draw is None:
            raise ConfigError(f"the draw of {post.draw_date.isoformat()} is not in the archive")
        return dataclasses.replace(card, caption=self.results_text(draw))

    def results_text(self, draw: Any) -> str:
        from marksix.autopilot.record import sentences
        from marksix.autopilot.record_store import RecordRepository

        ledgers = RecordRepository(self.engine).all()
        ledger = next((item for item in ledgers if item.draw_id == draw.draw_id), None)
        recent = draw.date - dt.timedelta(days=7)
        if ledger is None and any(
            item.settlement is None and recent < item.draw_date <= draw.date for item in ledgers
        ):
            # A ledger for this draw is frozen but not settled yet: never post half a record.
            raise ConfigError(f"the record of {draw.draw_id} is not settled yet")
        public = self.publishing.public_url
        record_url = f"{public.rstrip('/')}/record" if public else None
        if ledger is None:
            return results_caption(
                draw, no_lines_scorecard(draw.draw_id), commitment=None, record_url=record_url
            )
        return results_caption(draw, sentences(ledger), commitment=ledger.commitment, record_url=record_url)

    def failed_alerts(self, now: dt.datetime) -> list[str]:
        return [
            f"the {KIND_LABELS[row.kind]} of {row.draw_id or row.draw_date.isoformat()} "
            f"for account {row.account_id} failed: {row.error}"
            for row in self.posts.failed_since(now - ALERT_WINDOW)
        ]
