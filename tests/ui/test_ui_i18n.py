"""The UI's words: every key used exists in both languages, and no text
promises a win."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.requests import Request

from marksix.web import i18n

WEB = Path(i18n.__file__).resolve().parent
FORBIDDEN = ("必中", "穩中", "保證", "包中", "命中率", "guaranteed", "sure win", "hit rate")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*WEB.glob("templates/**/*.html"), *WEB.glob("dashboard/*.py")]:
        text = path.read_text(encoding="utf-8")
        # Whole literal keys only: t('accounts.webhook_' ~ state) is checked below.
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']\s*[,)]""", text))
        keys |= set(re.findall(r"""title_key=["']([a-z_]+\.[a-z_0-9]+)["']""", text))
    return keys


def test_every_key_in_use_exists() -> None:
    keys = used_keys()
    assert len(keys) > 40  # the scan found the templates
    keys |= {f"accounts.webhook_{state}" for state in ("subscribed", "none", "unknown")}
    missing = sorted(keys - set(i18n.MESSAGES))
    assert missing == []


def test_every_message_has_both_languages() -> None:
    for key, (chinese, english) in i18n.MESSAGES.items():
        assert chinese.strip() and english.strip(), key
        assert re.findall(r"{(\w+)}", chinese) == re.findall(r"{(\w+)}", english), key


def test_no_ui_text_promises_a_win() -> None:
    texts = [text for pair in i18n.MESSAGES.values() for text in pair]
    texts += [path.read_text(encoding="utf-8") for path in WEB.glob("templates/**/*.html")]
    texts += [path.read_text(encoding="utf-8") for path in WEB.glob("static/*.js")]
    for text in texts:
        lowered = text.lower()
        assert not any(word in lowered for word in FORBIDDEN), text[:80]


def make_request(query: str = "", cookie: str | None = None) -> Request:
    headers = [(b"cookie", f"{i18n.LANGUAGE_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [
        ("", None, "zh-HK"),
        ("lang=en", None, "en"),
        ("", "en", "en"),
        ("lang=zh-HK", "en", "zh-HK"),
        ("lang=klingon", None, "zh-HK"),
    ],
)
def test_language_choice(query: str, cookie: str | None, expected: str) -> None:
    assert i18n.language_of(make_request(query, cookie)) == expected


def test_translate_fills_values_and_shows_unknown_keys() -> None:
    assert i18n.translate("replies.page", "en", page=2, pages=5, total=99) == "Page 2 of 5 (99 entries)"
    assert i18n.translate("no.such.key", "zh-HK") == "no.such.key"
