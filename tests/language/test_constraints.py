"""Constraints honoured or named; banker grammar, ages and "+1" never read as balls."""

from __future__ import annotations

import pytest

from marksix.domain.colours import colour_of
from marksix.language import Comment, ReplyContext, respond


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("全部單數，唔該", lambda n: n % 2 == 1),
        ("全部单数", lambda n: n % 2 == 1),
        ("all odd numbers please", lambda n: n % 2 == 1),
        ("唔要雙數", lambda n: n % 2 == 1),
        ("no odd numbers pls", lambda n: n % 2 == 0),
        ("俾組全部大數我", lambda n: n >= 25),
        ("six big numbers pls", lambda n: n >= 25),
        ("要晒紅波", lambda n: colour_of(n) == "red"),
        ("all green balls", lambda n: colour_of(n) == "green"),
        ("揀20至30之間嘅號碼", lambda n: 20 <= n <= 30),
        ("要20到30之间的号码", lambda n: 20 <= n <= 30),
        ("only numbers between 20 and 30", lambda n: 20 <= n <= 30),
    ],
)
def test_a_constraint_holds_on_every_ball(text: str, holds: object, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert reply.intent == "pick" and reply.tickets
    assert callable(holds)
    assert all(holds(number) for ticket in reply.tickets for number in ticket), reply.tickets


@pytest.mark.parametrize(
    ("text", "says"),
    [("要尾數係8嘅", "尾數"), ("尾数是8", "尾数"), ("numbers ending in 8", "the last digit")],
)
def test_a_constraint_that_cannot_be_met_is_named(text: str, says: str, context: ReplyContext) -> None:
    reply = respond(Comment(text, "fan", "1"), context)
    assert reply.tickets and says in (reply.text or "")


@pytest.mark.parametrize(
    ("text", "bankers"),
    [
        ("8做膽拖5隻", [8]),
        ("8同18做膽，拖6隻", [8, 18]),
        ("膽：3、33 拖五隻", [3, 33]),
        ("8做胆拖6个", [8]),
        ("bankers 5 and 15 with 5 legs", [5, 15]),
    ],
)
def test_banker_grammar(text: str, bankers: list[int], context: ReplyContext) -> None:
    request = respond(Comment(text, "fan", "1"), context).request
    assert request["bankers"] == bankers
    assert request["include"] == []


@pytest.mark.parametrize("text", ["+1", "+1 for me please", "我今年45歲，俾組號碼", "我38岁，帮我选一组"])
def test_ages_and_plus_one_are_not_balls(text: str, context: ReplyContext) -> None:
    request = respond(Comment(text, "fan", "1"), context).request
    assert request["include"] == []
