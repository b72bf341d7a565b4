"""The results poller: from the draw time on, fetch HKJC's result until it is in.

It calls one narrow function, `fetch`, which reads HKJC (real or simulated,
by base URL or transport) and adds what is new to the archive, idempotently
(`DrawArchive.update` does exactly this). The poller only decides *when*:
at start-up (catch-up), from 21:30 Hong Kong time on a draw day, and again
with backoff until the draw and its dividends are in. One process at a time
polls, through a lease row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from marksix.autopilot.leases import Lease
from marksix.domain.calendar import NextDraw, next_scheduled_draw
from marksix.errors import MarksixError

log = structlog.get_logger("marksix.autopilot.poller")

#: How far back the calendar is compared with the archive (the staleness report).
LOOKBACK = dt.timedelta(days=120)
FIRST_WAIT = 30.0
MAX_WAIT = 600.0


@dataclass(frozen=True, slots=True)
class Staleness:
    latest_date: dt.date | None
    behind: int  # regular draws whose time has passed and which the archive lacks
    since: dt.datetime | None  # the draw time of the first missing one

    def to_json(self) -> dict[str, Any]:
        return {
            "latest_draw_date": self.latest_date.isoformat() if self.latest_date else None,
            "draws_behind": self.behind,
            "behind_since": self.since.isoformat() if self.since else None,
        }


def missing_draws(latest_date: dt.date | None, now: dt.datetime) -> list[NextDraw]:
    """Regular draws after the archive's latest whose draw time has passed."""
    start = now - LOOKBACK
    if latest_date is not None:
        start = max(start, dt.datetime.combine(latest_date, dt.time(23, 59), tzinfo=dt.UTC))
    found = []
    draw = next_scheduled_draw(start)
    while draw.draw_at <= now:
        if latest_date is None or draw.date > latest_date:
            found.append(draw)
        draw = next_scheduled_draw(draw.draw_at)
    return found


def staleness(latest_date: dt.date | None, now: dt.datetime) -> Staleness:
    missing = missing_draws(latest_date, now)
    return Staleness(latest_date, len(missing), missing[0].draw_at if missing else None)


class ResultsPoller:
    """Polls while a draw is due; `poll_once` is what the thread and tests call."""

    def __init__(
        self,
        *,
        fetch: Callable[[dt.datetime], int],  # -> how many new draws it added
        latest_date: Callable[[], dt.date | None],
        lease: Lease,
        clock: Callable[[], dt.datetime],
        on_new: Callable[[dt.datetime], None] = lambda _now: None,
        on_tick: Callable[[dt.datetime], None] = lambda _now: None,
        next_wake: Callable[[dt.datetime], dt.datetime | None] = lambda _now: None,
    ) -> None:
        self.on_tick = on_tick  # run on every wake-up: the record freezes at sales close
        self.next_wake = next_wake  # another moment to wake at: a scheduled post's time
        self.fetch, self.latest_date, self.lease, self.clock, self.on_new = (
            fetch,
            latest_date,
            lease,
            clock,
            on_new,
        )
        self.failures = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, now: dt.datetime) -> bool:
        return bool(missing_draws(self.latest_date(), now))

    def poll_once(self, *, force: bool = False) -> int:
        """One fetch if a draw is due (or forced) and the lease is ours; returns new draws."""
        now = self.clock()
        if not (force or self.due(now)):
            return 0
        if not self.lease.acquire(now):
            return 0
        try:
            added = self.fetch(now)
        except MarksixError as error:
            self.failures += 1
            self.last_error = f"{type(error).__name__}: {error}"
            log.warning("results_poll_failed", error=self.last_error, failures=self.failures)
            return 0
        finally:
            self.lease.release()
        self.failures, self.last_error = 0, None
        if added:
            log.info("results_added", draws=added)
            self.on_new(now)
        return added

    def wait_seconds(self, now: dt.datetime) -> float:
        """Backoff while a draw is due; otherwise sleep until the next draw time."""
        if self.due(now):
            return float(min(FIRST_WAIT * 2 ** min(self.failures, 5), MAX_WAIT))
        upcoming = next_scheduled_draw(now)
        # Wake at sales close too (the ledger freezes then), and at the draw time.
        moments = [
            moment
            for moment in (upcoming.sales_close_at, upcoming.draw_at, self.next_wake(now))
            if moment is not None and moment > now
        ]
        first = min(moments, default=upcoming.draw_at)
        return max(1.0, min((first - now).total_seconds(), MAX_WAIT))

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="results-poller", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        force = True  # catch-up at start-up
        while not self._stop.is_set():
            try:
                self.on_tick(self.clock())
                self.poll_once(force=force)
            except Exception:  # the thread must outlive a bad poll; the next one retries
                log.exception("results_poller_crashed")
            woken = self._wake.wait(self.wait_seconds(self.clock()))
            self._wake.clear()
            force = woken
