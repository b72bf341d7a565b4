"""The `webhook.received` log line: one per delivery while they are few, a sum of them under a flood.

At a viral post's rate a line per delivery is unreadable, and writing it
was, after the commit, the largest cost of a webhook. A delivery that comes
after a quiet spell (no line for `every` seconds) is logged on its own, as
before; the ones that follow it within `every` seconds are added up, and
the next line (at the first delivery after those seconds) reports them all.
Rejected changes and failures are still logged one by one, by the route.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

log = structlog.get_logger("marksix.web.webhooks")

#: Seconds between two `webhook.received` lines at most once deliveries come faster.
EVERY_SECONDS = 10.0


class DeliveryLog:
    """Counts deliveries between two lines; `note` is called once per delivery, on the event loop."""

    def __init__(self, *, every: float = EVERY_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._last = float("-inf")
        self._deliveries = self._events = self._new = self._rejected = 0

    def note(self, *, events: int, new: int, rejected: int) -> None:
        self._deliveries += 1
        self._events += events
        self._new += new
        self._rejected += rejected
        now = self._clock()
        if now - self._last < self._every:
            return
        if self._deliveries == 1:
            log.info("webhook.received", events=events, new=new, rejected=rejected)
        else:
            log.info(
                "webhook.received",
                deliveries=self._deliveries,
                events=self._events,
                new=self._new,
                rejected=self._rejected,
                seconds=round(now - self._last, 1),
            )
        self._last = now
        self._deliveries = self._events = self._new = self._rejected = 0
