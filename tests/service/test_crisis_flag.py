"""A crisis comment is flagged in the reply log for a person to see; other replies are not."""

from __future__ import annotations

import datetime as dt

from marksix.domain.calendar import next_scheduled_draw
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.language import Comment, ReplyContext, respond
from marksix.worker.service import _details

CONTEXT = ReplyContext(
    history=bundled_history(),
    prizes=bundled_prizes(),
    next_draw=next_scheduled_draw(dt.datetime(2026, 8, 23, tzinfo=dt.UTC)),
    secret="test-secret",
)


def test_crisis_details_carry_the_flag_and_the_topic() -> None:
    details = _details(respond(Comment("再唔中我就去死", "fan", "1"), CONTEXT))
    assert details["flag"] == "crisis" and details["topic"] == "crisis" and details["tickets"] == []


def test_a_pick_is_not_flagged() -> None:
    details = _details(respond(Comment("俾組號碼我", "fan", "1"), CONTEXT))
    assert "flag" not in details and details["topic"] == "pick"
