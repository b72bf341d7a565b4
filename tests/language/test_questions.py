"""The finer questions get their own answer, never a ticket: tiers, windows, the extra, courtesy."""

from __future__ import annotations

import pytest

from marksix.language import Comment, ReplyContext, respond


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("三獎嘅機率係幾多", "1 / 55,491"),
        ("三等奖几率多少", "1 / 55,491"),
        ("what are the odds of 2nd prize", "1 in 2,330,636"),
        ("odds for 7th tier", "1 in 61"),
    ],
)
def test_one_tier_odds(text: str, says: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic, reply.tickets) == ("odds", "tier_odds", [])
    assert says in (reply.text or "")


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("近10期邊個號出得最多？", "近10期"),
        ("最近10期最热的号码", "近10期"),
        ("hottest numbers in the last 10 draws", "last 10"),
    ],
)
def test_a_stated_window_is_used(text: str, window: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic, reply.tickets) == ("stats", "window", [])
    assert window in (reply.text or "")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("特別號邊個出得最多？", "特別號碼"),
        ("特别号码哪个最多", "特别号码"),
        ("which extra number comes up most", "extra"),
    ],
)
def test_the_extra_number_is_counted_apart(text: str, says: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert (reply.intent, reply.topic, reply.tickets) == ("stats", "extra_number", [])
    assert says in (reply.text or "")


@pytest.mark.parametrize("text", ["要廿三同卅一", "唔要卌同卌九"])
def test_chinese_tens_are_read(text: str, context: ReplyContext) -> None:
    request = respond(Comment(text, "fan", "1"), context).request
    assert set(request["include"]) | set(request["exclude"]) in ({23, 31}, {40, 49})
