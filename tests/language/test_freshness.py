"""Honest about how old the data is: a stale archive never shows its latest draw as 上期."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from marksix.domain.calendar import next_scheduled_draw
from marksix.language import Comment, ReplyContext, respond

#: December, while the bundled archive ends on 2026-08-22.
LATER = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def stale(context: ReplyContext) -> ReplyContext:
    return replace(context, next_draw=next_scheduled_draw(LATER))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("上期開咩號？", "我手上最新嘅結果係"),
        ("上期开奖号码是什么", "我手上最新的结果是"),
        ("what were the last results", "The latest result I have is"),
        ("邊個號出得最多？", "我手上最新係8月22日"),
        ("which numbers are hot", "My latest draw is 22 Aug"),
        ("我買咗 3 8 15 22 37 41 有冇中？", "我手上最新係8月22日"),
    ],
)
def test_a_stale_archive_says_the_date_of_its_latest_draw(text: str, says: str, stale: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), stale)
    assert reply.text is not None and says in reply.text
    assert "上期" not in reply.text
    assert len(reply.text) <= stale.max_chars


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("俾組號碼我", "我手上最新係8月22日"),
        ("给我一组号码", "我手上最新是8月22日"),
        ("numbers please", "My latest draw is 22 Aug"),
    ],
)
def test_a_pick_from_a_stale_archive_dates_its_figures(text: str, says: str, stale: ReplyContext) -> None:
    dated = 0
    for user in range(12):  # every layout of the pick, some with figures over the last 100 draws
        reply = respond(Comment(text, f"fan{user}", str(user)), stale)
        assert reply.text is not None and reply.tickets and len(reply.text) <= stale.max_chars
        if "100" in reply.text:
            assert says in reply.text
            dated += 1
    assert dated


def test_a_fresh_archive_says_nothing_about_age(context: ReplyContext) -> None:
    reply = respond(Comment("上期開咩號？", "fan", "1"), context)
    assert "我手上最新" not in (reply.text or "")


def test_a_ticket_check_for_a_draw_not_held_says_so(stale: ReplyContext) -> None:
    reply = respond(Comment("26/120 3 8 15 22 37 41 中咗未", "fan", "1"), stale)
    assert "我手上未有你講嗰期嘅結果" in (reply.text or "")


def test_with_a_clock_a_missing_result_from_an_earlier_day_is_stale(context: ReplyContext) -> None:
    from marksix.domain.calendar import HONG_KONG

    # Wednesday 26 August: Tuesday's draw (after the bundled 22 August) is not in the archive.
    wednesday = dt.datetime(2026, 8, 26, 10, 0, tzinfo=HONG_KONG)
    behind = replace(context, now=wednesday, next_draw=next_scheduled_draw(wednesday))
    reply = respond(Comment("上期開咩號？", "fan", "1"), behind)
    assert "我手上最新嘅結果係" in (reply.text or "") and "上期" not in (reply.text or "")
    # Tuesday evening, after close: today's result is on its way, not missing.
    tuesday = dt.datetime(2026, 8, 25, 21, 40, tzinfo=HONG_KONG)
    waiting = replace(context, now=tuesday, next_draw=next_scheduled_draw(tuesday))
    assert "我手上最新" not in (respond(Comment("上期開咩號？", "fan", "1"), waiting).text or "")
