"""The reply log's reads: search, counts by state, throughput; what the dashboard and health show.

Kept apart from the transitions in `comments.py`, which write; these only read.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select

from marksix.store.comment_records import CommentPage
from marksix.store.comment_records import record_from_row as _record
from marksix.store.service_tables import STATES, CommentState, comments


class CommentQueries:
    """Read-only queries over `comments`; `CommentRepository` inherits them."""

    engine: Engine

    def search(
        self,
        query: str | None = None,
        *,
        state: str | None = None,
        intent: str | None = None,
        account: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> CommentPage:
        """The reply log, newest first: text, username, reply or id containing `query`."""
        if state is not None and state not in STATES:
            raise ValueError(f"unknown state {state!r}; one of: {', '.join(STATES)}")
        page, per_page = max(page, 1), min(max(per_page, 1), 500)
        conditions = []
        if query and query.strip():
            needle = query.strip().lstrip("@")
            conditions.append(
                or_(
                    comments.c.text.icontains(needle, autoescape=True),
                    comments.c.username.icontains(needle, autoescape=True),
                    comments.c.reply_text.icontains(needle, autoescape=True),
                    comments.c.reason.icontains(needle, autoescape=True),
                    comments.c.comment_id == needle,
                )
            )
        if state:
            conditions.append(comments.c.state == state)
        if intent:
            conditions.append(comments.c.intent == intent)
        if account:
            conditions.append(comments.c.account_id == account)
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(comments).where(*conditions)
            ).scalar_one()
            rows = connection.execute(
                select(comments)
                .where(*conditions)
                .order_by(comments.c.received_at.desc(), comments.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return CommentPage([_record(row) for row in rows], total, page, per_page)

    def counts_by_state(self, account: str | None = None) -> dict[str, int]:
        """Every state with its count (zeros included)."""
        statement = select(comments.c.state, func.count()).group_by(comments.c.state)
        if account:
            statement = statement.where(comments.c.account_id == account)
        with self.engine.connect() as connection:
            found = {state: count for state, count in connection.execute(statement).all()}
        return {state: int(found.get(state, 0)) for state in STATES}

    def throughput(self, window: timedelta, *, now: datetime, account: str | None = None) -> dict[str, Any]:
        """What happened in the last `window`: arrivals, outcomes, and reply latency."""
        since = now - window
        scope = [comments.c.account_id == account] if account else []
        with self.engine.connect() as connection:
            received = connection.execute(
                select(func.count()).where(comments.c.received_at > since, *scope)
            ).scalar_one()
            finished: dict[str, int] = dict(
                connection.execute(
                    select(comments.c.state, func.count())
                    .where(comments.c.finished_at > since, *scope)
                    .group_by(comments.c.state)
                ).all()
            )
            latencies = [
                value
                for (value,) in connection.execute(
                    select(comments.c.latency_seconds)
                    .where(comments.c.finished_at > since, comments.c.state == CommentState.REPLIED, *scope)
                    .order_by(comments.c.finished_at.desc())
                    .limit(10_000)
                ).all()
                if value is not None
            ]
        minutes = window.total_seconds() / 60
        replied = int(finished.get("replied", 0))
        return {
            "window_seconds": window.total_seconds(),
            "received": int(received),
            "replied": replied,
            "skipped": int(finished.get("skipped", 0)),
            "failed": int(finished.get("failed", 0)),
            "replies_per_minute": replied / minutes if minutes else 0.0,
            "latency_p50": statistics.median(latencies) if latencies else None,
            "latency_p95": _percentile(latencies, 95),
        }


def _percentile(values: list[float], percent: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
