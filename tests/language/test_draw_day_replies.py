"""Today's draw from the caller's clock: open, closed (21:15 until the result), drawn, or none.

Between sales close and the result, replies say today's draw has closed and
give numbers for the next one: the draw `autopilot.ledger` files the line under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from marksix.autopilot.ledger import draw_date_for
from marksix.domain.calendar import HONG_KONG, next_scheduled_draw
from marksix.domain.draws import make_draw
from marksix.language import Comment, ReplyContext, respond

#: Tuesday 25 August 2026, a regular draw day after the last bundled draw (Saturday 22nd).
DRAW_DAY = dt.date(2026, 8, 25)
LANGUAGES = ("zh-HK", "zh-CN", "en")
TODAY_ASK = {"zh-HK": "今晚有冇攪珠？", "zh-CN": "今天开奖吗？", "en": "is there a draw tonight?"}
PICK_ASK = {"zh-HK": "俾組號碼我", "zh-CN": "给我一组号码", "en": "numbers please"}
NEXT_ASK = {"zh-HK": "下期幾時攪珠？", "zh-CN": "下期什么时候开奖", "en": "when is the next draw?"}
CLOSED = {"zh-HK": "已經截止", "zh-CN": "已经截止", "en": "closed at 21:15"}
THURSDAY = {"zh-HK": "8月27日", "zh-CN": "8月27日", "en": "27 Aug"}


def at(context: ReplyContext, hour: int, minute: int, language: str, day: dt.date = DRAW_DAY) -> ReplyContext:
    """The context a caller builds at that Hong Kong time: its clock, and the next draw from it."""
    now = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HONG_KONG)
    return replace(context, now=now, next_draw=next_scheduled_draw(now), language=language)


def text_of(text: str, context: ReplyContext) -> str:
    reply = respond(Comment(text, "fan", "draw-day"), context)
    assert reply.text is not None and "18+" in reply.text and "1834 633" in reply.text
    assert len(reply.text) <= context.max_chars
    return reply.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_before_close_today_has_a_draw_with_its_times(context: ReplyContext, language: str) -> None:
    reply = respond(Comment(TODAY_ASK[language], "fan", "1"), at(context, 12, 0, language))
    assert (reply.intent, reply.topic, reply.tickets) == ("next_draw", "draw_today", [])
    assert "21:15" in (reply.text or "") and "21:30" in (reply.text or "")
    assert CLOSED[language] not in (reply.text or "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_close_before_the_result_today_has_closed(context: ReplyContext, language: str) -> None:
    text = text_of(TODAY_ASK[language], at(context, 21, 20, language))
    assert CLOSED[language].split(" at")[0] in text and THURSDAY[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pick_after_close_says_so_and_is_for_the_next_draw(context: ReplyContext, language: str) -> None:
    closed = at(context, 21, 20, language)
    reply = respond(Comment(PICK_ASK[language], "fan", "1"), closed)
    assert reply.intent == "pick" and len(reply.tickets) == 1
    text = reply.text or ""
    assert CLOSED[language] in text and THURSDAY[language] in text
    # The line is filed under the draw the reply names.
    assert closed.now is not None
    assert draw_date_for(closed.now) == closed.next_draw.date == dt.date(2026, 8, 27)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pick_before_close_is_for_tonight_and_says_nothing_of_closing(
    context: ReplyContext, language: str
) -> None:
    open_ = at(context, 21, 14, language)
    text = text_of(PICK_ASK[language], open_)
    assert CLOSED[language] not in text
    assert open_.now is not None and draw_date_for(open_.now) == open_.next_draw.date == DRAW_DAY


@pytest.mark.parametrize("language", LANGUAGES)
def test_next_draw_answers_after_close_say_today_has_closed(context: ReplyContext, language: str) -> None:
    text = text_of(NEXT_ASK[language], at(context, 21, 40, language))
    assert CLOSED[language] in text and THURSDAY[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_once_the_result_is_in_today_shows_it_and_nothing_says_closed(
    context: ReplyContext, language: str
) -> None:
    tonight = make_draw("26/093", DRAW_DAY.isoformat(), [3, 11, 19, 27, 35, 43], 8)
    drawn = replace(at(context, 21, 50, language), history=context.history.merged([tonight]))
    text = text_of(TODAY_ASK[language], drawn)
    assert "26/093" in text and "43" in text
    assert CLOSED[language] not in text_of(PICK_ASK[language], drawn)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_day_without_a_draw_says_so_and_names_the_next(context: ReplyContext, language: str) -> None:
    monday = at(context, 12, 0, language, day=dt.date(2026, 8, 24))
    text = text_of(TODAY_ASK[language], monday)
    assert {"zh-HK": "冇攪珠", "zh-CN": "没有开奖", "en": "No draw today"}[language] in text
    assert {"zh-HK": "8月25日", "zh-CN": "8月25日", "en": "25 Aug"}[language] in text


def test_without_a_clock_nothing_is_said_about_today(context: ReplyContext) -> None:
    reply = respond(Comment("今晚有冇攪珠？", "fan", "1"), context)
    assert (reply.intent, reply.topic) == ("next_draw", "draw_today")
    assert "今晚" not in (reply.text or "") and "21:15" in (reply.text or "")
