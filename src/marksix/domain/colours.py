"""HKJC's ball colours (紅/藍/綠), as printed on the Mark Six balls."""

from __future__ import annotations

from typing import Literal

Colour = Literal["red", "blue", "green"]

RED = frozenset({1, 2, 7, 8, 12, 13, 18, 19, 23, 24, 29, 30, 34, 35, 40, 45, 46})
BLUE = frozenset({3, 4, 9, 10, 14, 15, 20, 25, 26, 31, 36, 37, 41, 42, 47, 48})
GREEN = frozenset({5, 6, 11, 16, 17, 21, 22, 27, 28, 32, 33, 38, 39, 43, 44, 49})

COLOUR_NAMES: dict[Colour, dict[str, str]] = {
    "red": {"zh-HK": "紅", "zh-CN": "红", "en": "red", "emoji": "🔴"},
    "blue": {"zh-HK": "藍", "zh-CN": "蓝", "en": "blue", "emoji": "🔵"},
    "green": {"zh-HK": "綠", "zh-CN": "绿", "en": "green", "emoji": "🟢"},
}
#: HKJC's print colours, for charts and the post card.
COLOUR_HEX: dict[Colour, str] = {"red": "#e4252c", "blue": "#1d6fd1", "green": "#1a9c47"}


def colour_of(number: int) -> Colour:
    if number in RED:
        return "red"
    if number in BLUE:
        return "blue"
    if number in GREEN:
        return "green"
    raise ValueError(f"{number} is not a Mark Six number (1-49)")
