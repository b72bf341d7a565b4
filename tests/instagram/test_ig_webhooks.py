"""Webhook signature, handshake and every payload variant from the platform notes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.errors import InputError
from marksix.instagram.webhooks import (
    CommentEvent,
    parse_webhook,
    sign,
    sign_sha1,
    verification_response,
    verify_signature,
)

SECRET = "app-secret-1"


# --- signatures ------------------------------------------------------------------
def test_good_signature_over_raw_bytes() -> None:
    body = json.dumps({"text": "äöå 六合彩"}).encode()  # json.dumps escapes to \u00e4 like Meta
    assert b"\\u00e4" in body
    assert verify_signature(body, sign(body, SECRET), [SECRET])


def test_signature_is_lowercase_hex_with_prefix() -> None:
    header = sign(b"{}", SECRET)
    scheme, _, digest = header.partition("=")
    assert scheme == "sha256"
    assert digest == digest.lower() and len(digest) == 64


def test_uppercase_hex_is_accepted() -> None:
    body = b'{"a":1}'
    header = "sha256=" + sign(body, SECRET).partition("=")[2].upper()
    assert verify_signature(body, header, [SECRET])


def test_bad_signature_is_refused() -> None:
    body = b'{"object":"instagram"}'
    assert not verify_signature(body, sign(body, "other-secret"), [SECRET])
    assert not verify_signature(body + b" ", sign(body, SECRET), [SECRET])


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256", "garbage", "md5=abcd"])
def test_missing_or_malformed_header_is_refused(header: str | None) -> None:
    assert not verify_signature(b"{}", header, [SECRET])


def test_legacy_sha1_header_is_not_enough() -> None:
    body = b"{}"
    assert not verify_signature(body, sign_sha1(body, SECRET), [SECRET])


def test_any_secret_of_the_rotation_list_matches() -> None:
    body = b'{"entry":[]}'
    secrets = ["old-secret", "new-secret", "instagram-app-secret"]
    for secret in secrets:
        assert verify_signature(body, sign(body, secret), secrets)
    assert not verify_signature(body, sign(body, "retired"), secrets)


def test_no_secrets_or_empty_secret_never_matches() -> None:
    body = b"{}"
    assert not verify_signature(body, sign(body, ""), [])
    assert not verify_signature(body, sign(body, ""), [""])


@given(st.binary(max_size=500), st.text(min_size=1, max_size=40))
def test_sign_then_verify_round_trips(body: bytes, secret: str) -> None:
    assert verify_signature(body, sign(body, secret), [secret])


# --- handshake -------------------------------------------------------------------
def test_handshake_echoes_the_challenge() -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"}
    assert verification_response(params, "meatyhamhock") == "1158201444"


def test_handshake_accepts_underscored_names() -> None:
    params = {"hub_mode": "subscribe", "hub_challenge": "42", "hub_verify_token": "t"}
    assert verification_response(params, "t") == "42"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": "meatyhamhock"},
        {"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
def test_handshake_refuses(params: dict[str, str]) -> None:
    assert verification_response(params, "meatyhamhock") is None


def test_handshake_with_no_configured_token_refuses() -> None:
    assert (
        verification_response({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""}, "")
        is None
    )


# --- payload variants ------------------------------------------------------------
REAL = {
    "object": "instagram",
    "entry": [
        {
            "id": "17841474524784050",
            "time": 1755779280,
            "changes": [
                {
                    "field": "comments",
                    "value": {
                        "id": "17919697626119712",
                        "text": "Nice post!",
                        "from": {"id": "232323232", "username": "someone"},
                        "media": {"id": "18172143295349192", "media_product_type": "FEED"},
                        "parent_id": "17865799348089039",
                    },
                }
            ],
        }
    ],
}


def test_real_shape_with_changes() -> None:
    [event] = parse_webhook(REAL)
    assert event == CommentEvent(
        account_id="17841474524784050",
        comment_id="17919697626119712",
        media_id="18172143295349192",
        text="Nice post!",
        from_id="232323232",
        from_username="someone",
        parent_id="17865799348089039",
        field="comments",
        media_product_type="FEED",
        timestamp=1755779280,
    )
    assert event.key == "17841474524784050:17919697626119712"
    assert event.is_reply and not event.is_live and not event.is_ad and not event.is_dashboard_test
    assert not event.is_own()


def _change(
    comment_id: str, text: str = "hi", author: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": comment_id,
        "text": text,
        "from": {"id": "9", "username": "u"},
        "media": {"id": "m1"},
    }
    value.update(extra)
    if author is not None:
        value["from"] = author
    return {"field": "comments", "value": value}


def test_batched_entries_and_changes_keep_order() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {"id": "A", "time": 1, "changes": [_change("1"), _change("2")]},
            {"id": "B", "time": 2, "changes": [_change("3")]},
        ],
    }
    events = parse_webhook(payload)
    assert [(e.account_id, e.comment_id) for e in events] == [("A", "1"), ("A", "2"), ("B", "3")]


def test_flat_field_value_variant() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "17841400000000000",
                "time": 1520622968,
                "field": "comments",
                "value": {
                    "id": "555",
                    "text": "flat",
                    "from": {"id": "1", "username": "a"},
                    "media": {"id": "m"},
                },
            }
        ],
    }
    [event] = parse_webhook(payload)
    assert (event.comment_id, event.text, event.timestamp) == ("555", "flat", 1520622968)


def test_comment_id_variant() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "A",
                "time": 1,
                "changes": [
                    {"field": "comments", "value": {"comment_id": "777", "text": "x", "media": {"id": "m"}}}
                ],
            }
        ],
    }
    [event] = parse_webhook(payload)
    assert event.comment_id == "777"
    assert event.from_id is None and event.from_username is None


def test_ad_comment_carries_ad_fields() -> None:
    media = {"id": "m1", "media_product_type": "AD", "ad_id": "6001", "ad_title": "Promo"}
    media["original_media_id"] = "m0"
    payload = {
        "object": "instagram",
        "entry": [{"id": "A", "time": 1, "changes": [_change("5", media=media)]}],
    }
    [event] = parse_webhook(payload)
    assert event.is_ad
    assert (event.ad_id, event.ad_title, event.original_media_id) == ("6001", "Promo", "m0")


def test_live_comment() -> None:
    value = {
        "id": "88",
        "text": "live!",
        "from": {"id": "3", "username": "v"},
        "media": {"id": "live1", "media_product_type": "LIVE"},
    }
    payload = {
        "object": "instagram",
        "entry": [{"id": "A", "time": 1, "changes": [{"field": "live_comments", "value": value}]}],
    }
    [event] = parse_webhook(payload)
    assert event.field == "live_comments" and event.is_live and event.parent_id is None


def test_dashboard_test_sample_is_own_and_test() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "0",
                "time": 1755779280,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": "232323232", "username": "test", "self_ig_scoped_id": "232323232"},
                            "media": {"id": "123123123", "media_product_type": "FEED"},
                            "id": "17865799348089039",
                            "parent_id": "1231231234",
                            "text": "This is an example.",
                        },
                    }
                ],
            }
        ],
    }
    [event] = parse_webhook(payload)
    assert event.is_dashboard_test
    assert event.self_ig_scoped_id == "232323232"
    assert event.is_own()


def test_self_comment_detection() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "ACC",
                "time": 1,
                "changes": [
                    _change("1", author={"id": "ACC", "username": "shop"}),
                    _change("2", author={"id": "OTHER", "username": "Shop"}),
                    _change("3", author={"id": "ME2", "username": "x"}),
                    _change("4", author={"id": "F", "username": "fan"}),
                    _change("5", author={"id": "F", "username": "fan"}),
                ],
            }
        ],
    }
    events = parse_webhook(payload)
    own = [e.is_own(account_ids={"ME2"}, usernames={"@shop"}, own_reply_ids={"5"}) for e in events]
    assert own == [True, True, True, False, True]


def test_messaging_time_in_milliseconds_and_string_times() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {"id": "A", "time": 1569262486134, "changes": [_change("1")]},
            {"id": "B", "time": "1755779280", "changes": [_change("2")]},
            {"id": "C", "time": "<TIME>", "changes": [_change("3")]},
        ],
    }
    assert [e.timestamp for e in parse_webhook(payload)] == [1569262486, 1755779280, None]


def test_numeric_ids_become_strings() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": 17841400000000001,
                "time": 1,
                "changes": [
                    {
                        "field": "comments",
                        "value": {"id": 17919697626119712, "text": "x", "media": {"id": 18}},
                    }
                ],
            }
        ],
    }
    [event] = parse_webhook(payload)
    assert event.account_id == "17841400000000001"
    assert (event.comment_id, event.media_id) == ("17919697626119712", "18")


def test_other_fields_and_objects_are_ignored() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "A",
                "time": 1,
                "changes": [
                    {"field": "mentions", "value": {"media_id": "1", "comment_id": "2"}},
                    {"field": "messages", "value": {}},
                ],
                "messaging": [{"sender": {"id": "1"}}],
            }
        ],
    }
    assert parse_webhook(payload) == []
    assert parse_webhook({"object": "page", "entry": "anything"}) == []
    assert parse_webhook({"object": "instagram", "entry": []}) == []


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"object": "instagram"}, "no 'entry' list"),
        ({"object": "instagram", "entry": ["x"]}, "entry[0] is not an object"),
        ({"object": "instagram", "entry": [{"time": 1, "changes": []}]}, "entry[0] has no 'id'"),
        ({"object": "instagram", "entry": [{"id": "A", "changes": {}}]}, "changes is not a list"),
        ({"object": "instagram", "entry": [{"id": "A", "changes": [1]}]}, "changes[0] is not an object"),
        (
            {"object": "instagram", "entry": [{"id": "A", "changes": [{"field": "comments"}]}]},
            "value is not an object",
        ),
        (
            {
                "object": "instagram",
                "entry": [{"id": "A", "changes": [{"field": "comments", "value": {"text": "x"}}]}],
            },
            "no comment 'id'",
        ),
    ],
)
def test_malformed_bodies_name_the_problem(payload: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_webhook(payload)


def test_non_object_body_is_refused() -> None:
    with pytest.raises(InputError, match="JSON object"):
        parse_webhook([])  # type: ignore[arg-type]


def test_event_to_json_has_stable_keys() -> None:
    [event] = parse_webhook(REAL)
    data = event.to_json()
    assert set(data) >= {
        "account_id",
        "comment_id",
        "media_id",
        "text",
        "from_id",
        "from_username",
        "parent_id",
        "field",
        "media_product_type",
        "timestamp",
    }
    assert json.loads(json.dumps(data)) == data


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=20,
    )
)
def test_parser_never_crashes_on_junk(junk: Any) -> None:
    payload = {"object": "instagram", "entry": junk}
    with contextlib.suppress(InputError):
        parse_webhook(payload)
