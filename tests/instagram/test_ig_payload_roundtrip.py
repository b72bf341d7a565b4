"""Whatever the simulator sends, in any documented shape, parses back to the same events."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from marksix.instagram.webhooks import parse_webhook, sign, verify_signature
from marksix.sandbox.payloads import SHAPES, Change, encode, envelope

digits = st.text("0123456789", min_size=5, max_size=17)
# NUL is the one character the parser changes (to U+FFFD: PostgreSQL text cannot hold it);
# tests/web/test_attacks.py checks that on its own.
usernames = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=80)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    kind = draw(st.sampled_from(["FEED", "REELS", "STORY", "AD", "LIVE"]))
    media: dict[str, str] = {"id": draw(digits), "media_product_type": kind}
    if kind == "AD":
        media.update(ad_id=draw(digits), ad_title=draw(texts), original_media_id=media["id"])
    value: dict[str, object] = {
        "from": {"id": draw(digits), "username": draw(usernames)},
        "media": media,
        "id": draw(digits),
        "text": draw(texts),
    }
    if kind != "LIVE" and draw(st.booleans()):
        value["parent_id"] = draw(digits)
    field = "live_comments" if kind == "LIVE" else "comments"
    return Change(account_id=draw(digits), field=field, value=value, comment_id=str(value["id"]))


@settings(max_examples=60)
@given(st.lists(changes(), min_size=1, max_size=6), st.sampled_from(SHAPES), st.integers(0, 2_000_000_000))
def test_round_trip(batch: list[Change], shape: str, sent_at: int) -> None:
    body = encode(envelope(batch, sent_at, shape))
    assert body.isascii()  # escaped unicode, as Meta signs it
    assert verify_signature(body, sign(body, "k"), ["k"])
    events = parse_webhook(json.loads(body))
    # Entries group changes per account, so compare as multisets keyed by account and comment.
    expected = sorted((c.account_id, c.comment_id, c.field, c.value["text"]) for c in batch)
    assert sorted((e.account_id, e.comment_id, e.field, e.text) for e in events) == expected
    for event in events:
        assert event.timestamp == sent_at
        assert event.is_live == (event.field == "live_comments")
