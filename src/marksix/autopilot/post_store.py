"""The schedule of each account's posts, and one row per post, in the database.

The row of a post is claimed before anything is published, the way a comment
is claimed before it is replied to (worker/service.py): an insert, or an
update that only matches a row whose retry is due or whose holder's lease ran
out. Two processes racing for a post cannot both get it, on SQLite or
PostgreSQL, and a holder that dies lets its lease run out for the next one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.exc import IntegrityError

from marksix.errors import InputError
from marksix.store.record_tables import POST_KINDS, post_schedules, scheduled_posts

#: Defaults per kind: off until a person turns it on (the sandbox turns them on),
#: the draw-day post at noon, the results post as soon as the result is in.
DEFAULT_TIMES = {"draw_day": "12:00", "results": "21:30"}


@dataclass(frozen=True, slots=True)
class Schedule:
    account_id: str
    kind: str
    enabled: bool
    post_time: dt.time  # Hong Kong time of day

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "kind": self.kind,
            "enabled": self.enabled,
            "time": self.post_time.strftime("%H:%M"),
        }


@dataclass(frozen=True, slots=True)
class PostRow:
    account_id: str
    draw_date: dt.date
    kind: str
    draw_id: str | None
    state: str
    attempts: int
    holder: str | None
    lease_until: dt.datetime | None
    not_before: dt.datetime | None
    send_started_at: dt.datetime | None
    caption: str | None
    image_url: str | None
    media_id: str | None
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        def when(moment: dt.datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "account_id": self.account_id,
            "draw_date": self.draw_date.isoformat(),
            "kind": self.kind,
            "draw_id": self.draw_id,
            "state": self.state,
            "attempts": self.attempts,
            "media_id": self.media_id,
            "caption": self.caption,
            "image_url": self.image_url,
            "error": self.error,
            "not_before": when(self.not_before),
            "published_at": when(self.published_at),
            "updated_at": when(self.updated_at),
        }


def parse_time(text: str) -> dt.time:
    """HH:MM, 00:00 to 23:59; anything else is an InputError naming the value."""
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        raise InputError(f"a post time is HH:MM in Hong Kong time (like 12:00), not {text!r}") from None


def _row(row: Any) -> PostRow:
    return PostRow(
        account_id=row.account_id,
        draw_date=dt.date.fromisoformat(row.draw_date),
        kind=row.kind,
        draw_id=row.draw_id,
        state=row.state,
        attempts=row.attempts,
        holder=row.holder,
        lease_until=row.lease_until,
        not_before=row.not_before,
        send_started_at=row.send_started_at,
        caption=row.caption,
        image_url=row.image_url,
        media_id=row.media_id,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )


class PostRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- the schedule ------------------------------------------------------------
    def schedules(self, account_id: str, *, default_enabled: bool = False) -> list[Schedule]:
        """Both kinds for the account: its stored choice, or the default."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(post_schedules).where(post_schedules.c.account_id == account_id)
            ).all()
        stored = {row.kind: row for row in rows}
        found = []
        for kind in POST_KINDS:
            row = stored.get(kind)
            if row is None:
                found.append(Schedule(account_id, kind, default_enabled, parse_time(DEFAULT_TIMES[kind])))
            else:
                found.append(Schedule(account_id, kind, bool(row.enabled), parse_time(row.post_time)))
        return found

    def set_schedule(
        self, account_id: str, kind: str, *, enabled: bool, post_time: dt.time, now: dt.datetime
    ) -> Schedule:
        if kind not in POST_KINDS:
            raise InputError(f"a post kind is one of {', '.join(POST_KINDS)}, not {kind!r}")
        values = {"enabled": enabled, "post_time": post_time.strftime("%H:%M"), "updated_at": now}
        table = post_schedules
        key = and_(table.c.account_id == account_id, table.c.kind == kind)
        with self.engine.begin() as connection:
            if connection.execute(table.update().where(key).values(**values)).rowcount == 0:
                try:
                    with connection.begin_nested():
                        connection.execute(table.insert().values(account_id=account_id, kind=kind, **values))
                except IntegrityError:  # saved by another request meanwhile: ours is the later word
                    connection.execute(table.update().where(key).values(**values))
        return Schedule(account_id, kind, enabled, post_time)

    # --- the posts -----------------------------------------------------------------
    def get(self, account_id: str, draw_date: dt.date, kind: str) -> PostRow | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(scheduled_posts).where(self._key(account_id, draw_date, kind))
            ).first()
        return _row(row) if row is not None else None

    def history(self, account_id: str | None = None, limit: int = 50) -> list[PostRow]:
        query = select(scheduled_posts)
        if account_id is not None:
            query = query.where(scheduled_posts.c.account_id == account_id)
        query = query.order_by(scheduled_posts.c.draw_date.desc(), scheduled_posts.c.kind).limit(limit)
        with self.engine.connect() as connection:
            return [_row(row) for row in connection.execute(query).all()]

    def failed_since(self, since: dt.datetime) -> list[PostRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(scheduled_posts).where(
                    scheduled_posts.c.state == "failed", scheduled_posts.c.updated_at >= since
                )
            ).all()
        return [_row(row) for row in rows]

    def claim(
        self,
        account_id: str,
        draw_date: dt.date,
        kind: str,
        *,
        draw_id: str | None,
        holder: str,
        now: dt.datetime,
        lease: dt.timedelta,
    ) -> PostRow | None:
        """Take the post for `holder` until now + lease (one more attempt); None when it is
        done, waiting for its retry, or held by another."""
        table = scheduled_posts
        until = now + lease
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    table.insert().values(
                        account_id=account_id,
                        draw_date=draw_date.isoformat(),
                        kind=kind,
                        draw_id=draw_id,
                        state="claimed",
                        attempts=1,
                        holder=holder,
                        lease_until=until,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            due_retry = and_(
                table.c.state == "pending", or_(table.c.not_before.is_(None), table.c.not_before <= now)
            )
            # A holder that died mid-attempt: its lease has run out.
            abandoned = and_(table.c.state == "claimed", table.c.lease_until <= now)
            with self.engine.begin() as connection:
                taken = connection.execute(
                    table.update()
                    .where(self._key(account_id, draw_date, kind), or_(due_retry, abandoned))
                    .values(
                        state="claimed",
                        holder=holder,
                        lease_until=until,
                        updated_at=now,
                        attempts=table.c.attempts + 1,
                    )
                ).rowcount
            if not taken:
                return None
        return self.get(account_id, draw_date, kind)

    def start_send(self, post: PostRow, holder: str, *, caption: str, now: dt.datetime) -> bool:
        """Mark the publish as started (its outcome unknown until recorded); False if the claim was lost."""
        return self._update(post, holder, {"send_started_at": now, "caption": caption, "updated_at": now})

    def published(
        self, post: PostRow, holder: str, *, media_id: str, image_url: str | None, now: dt.datetime
    ) -> bool:
        values: dict[str, Any] = {
            "state": "published",
            "media_id": media_id,
            "published_at": now,
            "updated_at": now,
            "holder": None,
            "lease_until": None,
            "error": None,
        }
        if image_url is not None:
            values["image_url"] = image_url
        return self._update(post, holder, values)

    def retry_later(
        self,
        post: PostRow,
        holder: str,
        *,
        error: str,
        not_before: dt.datetime,
        now: dt.datetime,
        uncertain: bool,
    ) -> bool:
        values: dict[str, Any] = {
            "state": "pending",
            "error": error,
            "not_before": not_before,
            "holder": None,
            "lease_until": None,
            "updated_at": now,
        }
        if not uncertain:
            values["send_started_at"] = None
        return self._update(post, holder, values)

    def fail(self, post: PostRow, holder: str, *, error: str, now: dt.datetime) -> bool:
        values = {"state": "failed", "error": error, "holder": None, "lease_until": None, "updated_at": now}
        return self._update(post, holder, values)

    def send_checked(self, post: PostRow, holder: str, *, now: dt.datetime) -> bool:
        """An earlier attempt's post was looked for and is not there: it did not go out."""
        return self._update(post, holder, {"send_started_at": None, "updated_at": now})

    def _update(self, post: PostRow, claimed_by: str, values: dict[str, Any]) -> bool:
        table = scheduled_posts
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    table.update()
                    .where(
                        self._key(post.account_id, post.draw_date, post.kind),
                        table.c.state == "claimed",
                        table.c.holder == claimed_by,
                    )
                    .values(**values)
                ).rowcount
            )

    @staticmethod
    def _key(account_id: str, draw_date: dt.date, kind: str) -> Any:
        table = scheduled_posts
        return and_(
            table.c.account_id == account_id,
            table.c.draw_date == draw_date.isoformat(),
            table.c.kind == kind,
        )
