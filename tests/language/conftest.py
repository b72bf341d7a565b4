"""A reply context over the bundled history, with a fixed next draw."""

from __future__ import annotations

import datetime as dt

import pytest

from marksix.domain.calendar import next_scheduled_draw
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.draws.popularity_model import shipped_model
from marksix.language import ReplyContext

#: A Sunday after the last bundled draw (2026-08-22): the next draw is Tuesday 25 August.
NOW = dt.datetime(2026, 8, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def context() -> ReplyContext:
    return ReplyContext(
        history=bundled_history(),
        prizes=bundled_prizes(),
        popularity=shipped_model(),
        next_draw=next_scheduled_draw(NOW),
        secret="test-secret",
        account_username="marksix.bot",
    )
