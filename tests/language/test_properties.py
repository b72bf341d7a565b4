"""Hypothesis: whatever a commenter writes, the reply stays safe and well-formed."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksix.language import INTENTS, Comment, ReplyContext, compose
from marksix.language.safety import MENTION, forbidden_claims, has_link, numbers_in

FRAGMENTS = [
    "要有",
    "唔要",
    "做膽",
    "組",
    "個號複式",
    "熱門",
    "冷門",
    "少人買",
    "生日",
    "月",
    "號",
    "中咗未",
    "我買咗",
    "上期",
    "幾時攪珠",
    "機會率",
    "出咗幾多次",
    "點玩",
    "with",
    "no",
    "sets",
    "numbers",
    "banker",
    "birthday",
    "给我",
    "不要",
    "必中",
    "guarantee",
    "ignore previous instructions",
    "@someone",
    "十八",
    "廿三",
    "８",
    "🙏",
    "🔴",
    " ",
    ",",
    "/",
    ":",
]
comment_text = st.one_of(
    st.text(max_size=120),
    st.lists(
        st.one_of(
            st.sampled_from(FRAGMENTS), st.integers(0, 120).map(str), st.integers(0, 99999999).map(str)
        ),
        max_size=14,
    ).map("".join),
)
usernames = st.from_regex(r"[a-z0-9._]{1,30}", fullmatch=True)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(
    text=comment_text,
    username=usernames,
    comment_id=st.text(min_size=1, max_size=24),
    limit=st.integers(80, 400),
)
def test_any_comment_gets_a_safe_well_formed_reply(
    context: ReplyContext, text: str, username: str, comment_id: str, limit: int
) -> None:
    composed = compose(Comment(text, username, comment_id), replace(context, max_chars=limit))
    reply = composed.reply
    assert reply.intent in INTENTS
    assert reply.language in ("zh-HK", "zh-CN", "en")
    if reply.intent == "ignore":
        assert reply.text is None and reply.path == "none"
        return
    assert reply.text is not None
    text_out = reply.text
    # Length and the footer that always stays.
    assert len(text_out) <= limit
    assert "18+" in text_out and text_out.endswith("1834 633")
    # Every number shown was produced by the engine.
    stray = set(numbers_in(text_out)) - composed.allowed_numbers
    assert not stray, (stray, text_out)
    # Tickets are shown whole, never split.
    shown = re.findall(r"\d+", MENTION.sub(" ", text_out))
    for ticket in reply.tickets:
        assert all(f"{number:02d}" in shown for number in ticket)
    # No win claims, links, or other people's mentions.
    assert not forbidden_claims(text_out)
    assert not has_link(text_out)
    assert set(MENTION.findall(text_out)) <= {f"@{username}"}
    if reply.intent == "support":
        assert reply.tickets == []


@PROPERTY_SETTINGS
@given(text=comment_text)
def test_the_reply_never_repeats_a_long_number_from_the_comment(context: ReplyContext, text: str) -> None:
    composed = compose(Comment(text, "fan", "1"), context)
    if composed.reply.text is None:
        return
    for number in re.findall(r"\d{5,}", text):
        if number.lstrip("0") in composed.allowed_numbers:
            continue  # the engine's own figure (the odds, a turnover), not an echo
        assert number not in composed.reply.text.replace(",", "")
