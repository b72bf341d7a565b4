"""Harm signs by concept, English stems, and the safety bias in `respond`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.language import Comment, ReplyContext, respond
from marksix.language.english import Phrases, stem, stems, within_one_edit
from marksix.language.harm import harm_signs, shows_harm
from marksix.language.numerals import normalise


@pytest.mark.parametrize(
    ("words", "shared"),
    [
        (("lose", "losing", "lost"), "los"),
        (("gamble", "gambled", "gambling"), "gambl"),
        (("bet", "bets", "betting"), "bet"),
        (("borrow", "borrowed", "borrowing"), "borrow"),
    ],
)
def test_inflections_share_a_stem(words: tuple[str, ...], shared: str) -> None:
    assert {stem(word) for word in words} == {shared}


def test_phrases_match_in_order_with_a_little_slack_and_a_typo() -> None:
    chase = Phrases.of("chase loss|win back")
    assert chase.found_in(stems("i keep chasing my losses"))
    assert chase.found_in(stems("need to win it all back"))
    assert not chase.found_in(stems("losses chase me"))
    assert Phrases.of("addict").found_in(stems("i think im adicted"))
    assert Phrases.of("gambl").found_in(stems("gamblng is ruining me"))


@given(st.text(alphabet="abcde", max_size=8), st.text(alphabet="abcde", max_size=8))
def test_one_edit_is_symmetric(first: str, second: str) -> None:
    assert within_one_edit(first, second) == within_one_edit(second, first)


@pytest.mark.parametrize(
    "text",
    [
        # one strong sign
        "戒咗幾次都戒唔甩",
        "借了网贷买彩票",
        "I keep chasing my losses",
        "sold my car to keep playing",
        # two weak signs that belong together: a loss and what was lost, spending and a livelihood
        "輸到冇錢交租",
        "份糧一出就買晒",
        "spent my whole salary on tickets again",
        "down 20k this year on lotto",
        # family anger, or hiding it from the family
        "老婆知道我賭錢，嬲到要走",
        "I lie to my wife about where the money goes",
    ],
)
def test_harm_in_every_language(text: str) -> None:
    assert shows_harm(normalise(text))


def test_simplified_matches_families_written_in_traditional() -> None:
    traditional, simplified = harm_signs(normalise("輸咗好多")), harm_signs(normalise("输了很多"))
    assert traditional.shows_harm and simplified.shows_harm


@pytest.mark.parametrize(
    "text",
    [
        "唔該晒！俾多組",  # 晒 in thanks is not "all of it"
        "又到星期六，俾組號碼我",
        "我唔想輸出18號以外嘅號碼",  # 輸出 is "output", not a loss
        "lost by one number last time, go again",
        "all in on 23!",
        "my wife's lucky number is 8",
        "再来一组",
    ],
)
def test_everyday_words_shared_with_harm_are_not_harm(text: str) -> None:
    assert not shows_harm(normalise(text))


def test_harm_outranks_a_pick_request_and_abuse(context: ReplyContext) -> None:
    for text in ("need to win back what I lost, give me 3 lines", "屌，又輸晒人工，俾組號"):
        reply = respond(Comment(text, "someone", "h1"), context)
        assert reply.intent == "support"
        assert reply.tickets == []
        assert reply.text is not None and "1834 633" in reply.text
