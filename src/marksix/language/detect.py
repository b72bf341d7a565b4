"""Which language and script to answer in: zh-HK (Cantonese, Traditional), zh-CN (Simplified) or en.

Cantonese has its own written words (係, 咗, 唔, 嘅, 冇); when they appear
the answer is Cantonese whatever the script. Otherwise OpenCC tells the
scripts apart: a text that changes under Simplified->Traditional conversion
holds Simplified characters, and one that changes under Traditional->Simplified
holds Traditional ones. Text with no letters at all (🙏🙏, "8 18") gets the
account's default.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

LANGUAGES = ("zh-HK", "zh-CN", "en")

CANTONESE_MARKERS = frozenset("係咗唔嘅冇咩啲嚟佢喺俾畀攪嘢噉咁吖喎嗰睇諗嘞啱揀乜咪哋嚿嚡嗱嘥晒哂喇㗎囉噃咯")
# Simplified forms that colloquial Cantonese written in Simplified still uses.
SIMPLIFIED_CANTONESE_MARKERS = frozenset("系咗唔嘅冇咩啲嚟佢喺俾畀搅嘢噉咁吖嗰睇谂啱拣乜咪哋")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)


@cache
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    return str(_converters()[0].convert(text))


def to_traditional(text: str) -> str:
    return str(_converters()[1].convert(text))


def detect_language(text: str, default: str = "zh-HK") -> str:
    """zh-HK, zh-CN or en for a comment; `default` when the text has no words."""
    han = CJK.findall(text)
    latin_words = len(LATIN_WORD.findall(text))
    if not han:
        return "en" if latin_words else default
    # 系 marks Cantonese written in Simplified (系 for 係) except inside Mandarin words.
    chinese = MANDARIN_XI_WORDS.sub("", "".join(han)) or "".join(han)
    # Cantonese words whose characters are not Cantonese markers on their own ("点样用呢个").
    if any(word in chinese for word in CANTONESE_WORDS):
        return "zh-HK"
    # Mostly English with a Chinese word or two ("hot numbers pls, 唔該"): English.
    if latin_words >= 2 * len(han):
        return "en"
    if any(char in CANTONESE_MARKERS for char in chinese):
        return "zh-HK"
    has_simplified = to_traditional(chinese) != chinese
    has_traditional = to_simplified(chinese) != chinese
    if has_simplified and not has_traditional:
        if any(char in SIMPLIFIED_CANTONESE_MARKERS for char in chinese) and not _mandarin(chinese):
            return "zh-HK"
        return "zh-CN"
    if has_traditional:
        return "zh-HK"
    # Characters that are the same in both scripts (想中頭 is not, 一组 is):
    # Mandarin function words tip it to zh-CN, else the account's default.
    if _mandarin(chinese):
        return "zh-CN"
    return default if default in ("zh-HK", "zh-CN") else "zh-HK"


MANDARIN_XI_WORDS = re.compile("关系|系统|联系|体系|系列|關係|系統|聯繫|體系")
CANTONESE_WORDS = (
    "點樣",
    "点样",
    "呢個",
    "呢个",
    "呢度",
    "邊個",
    "边个",
    "邊度",
    "边度",
    "點解",
    "点解",
    "乜嘢",
)
MANDARIN_WORDS = (
    "但是",
    "不到",
    "的",
    "了",
    "吗",
    "什么",
    "怎么",
    "我们",
    "是不是",
    "没有",
    "给我",
    "哪",
    "呢",
    "不要",
    "不是",
    "吧",
    "和",
)


def _mandarin(chinese: str) -> bool:
    return any(word in chinese for word in MANDARIN_WORDS)
