"""`webhook.received`: a line per delivery while they are few, one sum per ten seconds under a flood."""

from __future__ import annotations

from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from marksix.web.delivery_log import DeliveryLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _logging_on() -> None:
    structlog.reset_defaults()


def _lines(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k != "log_level"} for line in logs]


def test_deliveries_spaced_out_are_each_logged_and_a_flood_is_summed() -> None:
    clock = Clock()
    tally = DeliveryLog(every=10, clock=clock)
    with capture_logs() as logs:
        tally.note(events=1, new=1, rejected=0)  # after a quiet spell: its own line
        for _ in range(99):
            clock.now += 0.0625
            tally.note(events=2, new=1, rejected=0)  # within ten seconds: counted, not logged
        clock.now += 4
        tally.note(events=1, new=0, rejected=1)  # ten seconds on: the sum of the 100 since
        clock.now += 60
        tally.note(events=1, new=1, rejected=0)  # a minute later, alone again
    assert _lines(logs) == [
        {"event": "webhook.received", "events": 1, "new": 1, "rejected": 0},
        {
            "event": "webhook.received",
            "deliveries": 100,
            "events": 199,
            "new": 99,
            "rejected": 1,
            "seconds": 10.2,
        },
        {"event": "webhook.received", "events": 1, "new": 1, "rejected": 0},
    ]
