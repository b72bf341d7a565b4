"""Numbers as people write them, and the answer language."""

from __future__ import annotations

import pytest

from marksix.language.detect import detect_language
from marksix.language.numerals import chinese_to_int, normalise, number_tokens
from marksix.language.safety import canonical_number, numbers_in


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("八", 8),
        ("十", 10),
        ("十八", 18),
        ("二十", 20),
        ("廿三", 23),
        ("四十九", 49),
        ("兩", 2),
        ("一八", 18),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


def test_full_width_digits_become_ascii() -> None:
    assert normalise("８號　１８號") == "8號 18號"
    assert [token.value for token in number_tokens(normalise("要有８同十八"))] == [8, 18]


def test_numbers_in_reads_every_script_and_skips_mentions() -> None:
    assert numbers_in("@user_88 🔴08 十八 ８ 12.20 13,983,816") == ["8", "18", "8", "12.2", "13983816"]
    assert canonical_number("0") == "0"


def test_everyday_words_are_not_numbers() -> None:
    assert numbers_in("大家一齊玩六合彩，一定開心") == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("俾組號碼我", "zh-HK"),
        ("上期開咩號", "zh-HK"),
        ("想中頭獎", "zh-HK"),
        ("给我一组号码", "zh-CN"),
        ("上期开什么号", "zh-CN"),
        ("不要13，要有7和17", "zh-CN"),
        ("next draw numbers pls", "en"),
        ("hot numbers please, with 8, 唔該", "en"),
        ("pls 俾組號碼我", "zh-HK"),
        ("🙏🙏", "zh-HK"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_text_without_words_takes_the_default() -> None:
    assert detect_language("8 18 28 🙏", default="en") == "en"
