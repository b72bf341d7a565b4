"""The autopilot's pieces for one service: the results poller, the record and the posts.

This is the one place that wires them to the archive, the HKJC client and
the database; the web app holds one `Autopilot` for its lifetime. The
scheduled posts run on the poller's thread, right after the record is
brought up to date, so the results post always has the settled ledger.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from marksix.autopilot.leases import Lease
from marksix.autopilot.poller import ResultsPoller, Staleness, staleness
from marksix.autopilot.posts import Publishing, ScheduledPosts
from marksix.autopilot.record import refresh
from marksix.paths import Locator

POLLER_LEASE = dt.timedelta(minutes=2)


class Autopilot:
    def __init__(
        self,
        engine: Engine,
        locator: Locator,
        *,
        hkjc_client: Callable[[], Any],  # -> an HkjcClient (real base URL, or the simulator's transport)
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        holder: str | None = None,
        publishing: Publishing | None = None,
    ) -> None:
        from marksix.draws.archive import DrawArchive

        self.engine, self.locator, self.clock = engine, locator, clock
        self.archive = DrawArchive(locator)
        self._hkjc_client = hkjc_client
        holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.posts = (
            ScheduledPosts(engine, self.archive, publishing, clock=clock, holder=holder)
            if publishing is not None
            else None
        )
        self.poller = ResultsPoller(
            fetch=self._fetch,
            latest_date=self.latest_date,
            lease=Lease(engine, "results-poller", holder, POLLER_LEASE),
            clock=clock,
            on_new=self._after_result,
            on_tick=self._after_result,
            next_wake=self._next_post,
        )

    def latest_date(self) -> dt.date | None:
        history = self.archive.history()
        return history.latest.date if len(history) else None

    def latest_draw_id(self) -> str | None:
        history = self.archive.history()
        return history.latest.draw_id if len(history) else None

    def _fetch(self, now: dt.datetime) -> int:
        with self._hkjc_client() as client:
            change = self.archive.update(client, now=now)
        return len(change.new_draws) + change.prizes_updated

    def _after_result(self, now: dt.datetime) -> None:
        """Freeze the ledgers whose sales closed and settle those whose result is in; then post."""
        refresh(self.engine, self.locator, now)
        if self.posts is not None:
            self.posts.run_due(now)  # each outcome is logged where it happens

    def _next_post(self, now: dt.datetime) -> dt.datetime | None:
        return self.posts.next_wake(now) if self.posts is not None else None

    def close_sales_now(self, draw_date: dt.date, now: dt.datetime) -> None:
        """The sandbox draws early: the draw's sales close now, and its ledger freezes now."""
        from marksix.autopilot.record_store import RecordRepository

        RecordRepository(self.engine).freeze(draw_date, now, closed_at=now)

    def post_alerts(self) -> list[str]:
        return self.posts.failed_alerts(self.clock()) if self.posts is not None else []

    def staleness(self) -> Staleness:
        return staleness(self.latest_date(), self.clock())

    def start(self) -> None:
        self.poller.start()

    def close(self) -> None:
        self.poller.stop()
        self.archive.close()
