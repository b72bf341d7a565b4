"""Fitting the character limit: optional parts go first, the footer never does."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from marksix.language import Comment, ReplyContext, respond
from marksix.language.fitting import OPTIONAL_EXTRA, OPTIONAL_MAIN, Part, fit


def test_optional_parts_are_dropped_extra_first() -> None:
    parts = [
        Part("head"),
        Part("main stats line", drop_rank=OPTIONAL_MAIN),
        Part("extra stats line", drop_rank=OPTIONAL_EXTRA),
        Part("honest line, long", short="honest"),
    ]
    full = fit(parts, "18+ 1834 633", 200).text
    assert "extra stats line" in full
    limit = len(full) - len("extra stats line") - 1
    assert fit(parts, "18+ 1834 633", limit).text == "head\nmain stats line\nhonest line, long\n18+ 1834 633"
    tight = fit(parts, "18+ 1834 633", 30).text
    assert tight == "head\nhonest\n18+ 1834 633"


def test_surplus_tickets_go_before_the_body_is_cut() -> None:
    parts = [Part("@a"), *(Part(f"line {n:02d} " * 3, ticket=True) for n in range(5)), Part("honest")]
    fitted = fit(parts, "FOOTER", 60)
    assert fitted.tickets_shown < 5
    assert fitted.text.endswith("FOOTER")
    assert len(fitted.text) <= 60


@pytest.mark.parametrize("limit", [80, 120, 160, 200, 300])
def test_real_replies_fit_and_keep_whole_numbers(context: ReplyContext, limit: int) -> None:
    tight = replace(context, max_chars=limit)
    for text in ("10個號複式 5組 熱門", "8做膽 5組", "next draw numbers pls", "要有50號 唔要4"):
        reply = respond(Comment(text, "a_rather_long_username_2024", "x"), tight)
        assert reply.text is not None
        assert len(reply.text) <= limit
        assert reply.text.endswith("1834 633")
        shown = re.findall(r"\d+", reply.text.replace("a_rather_long_username_2024", ""))
        for ticket in reply.tickets:
            assert all(f"{number:02d}" in shown for number in ticket)
