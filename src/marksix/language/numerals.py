"""Numbers as commenters write them: ASCII, full-width (８) and Chinese (十八, 廿三).

`normalise` folds full-width forms to ASCII (NFKC) and lower-cases, so the
rest of the parser sees one alphabet. `number_tokens` finds every number with
its position; whether a number is a ball, a size, a count or a date is decided
by the words around it (in `parameters`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_TENS = {"十": 10, "廿": 20, "卅": 30, "卌": 40}
#: English number words, for "two lines", "eight numbers".
ENGLISH_NUMBERS = {
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
CHINESE_NUMERAL_CHARS = "".join(CHINESE_DIGITS) + "".join(CHINESE_TENS) + "百"
CHINESE_RUN = re.compile(f"[{CHINESE_NUMERAL_CHARS}]+")
#: Digits, a decimal part, and thousands separators written the English way.
ASCII_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")


def normalise(text: str) -> str:
    """Full-width to ASCII, ideographic spaces to spaces, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def chinese_to_int(run: str) -> int | None:
    """The value of a Chinese numeral such as 八, 十八, 四十九, 廿三 or 一百; None if malformed."""
    if not run or any(char not in CHINESE_NUMERAL_CHARS for char in run):
        return None
    total = 0
    current: int | None = None
    for char in run:
        if char in CHINESE_DIGITS:
            # Digit by digit ("一八") reads as a place-value number.
            current = CHINESE_DIGITS[char] if current is None else current * 10 + CHINESE_DIGITS[char]
        elif char in CHINESE_TENS:
            multiplier = CHINESE_TENS[char]
            if char == "十":
                total += (current if current is not None else 1) * 10
            else:
                if current is not None:
                    return None
                total += multiplier
            current = None
        else:  # 百
            total += (current if current is not None else 1) * 100
            current = None
    return total + (current or 0)


@dataclass(frozen=True, slots=True)
class NumberToken:
    value: int | None  # None for a decimal such as 12.2
    text: str
    start: int
    end: int
    chinese: bool


def number_tokens(normalised: str) -> list[NumberToken]:
    """Every ASCII and Chinese number in already-normalised text, in order."""
    tokens: list[NumberToken] = []
    for match in ASCII_NUMBER.finditer(normalised):
        raw = match.group()
        value = None if "." in raw else int(raw.replace(",", ""))
        tokens.append(NumberToken(value, raw, match.start(), match.end(), chinese=False))
    for match in CHINESE_RUN.finditer(normalised):
        tokens.append(
            NumberToken(
                chinese_to_int(match.group()), match.group(), match.start(), match.end(), chinese=True
            )
        )
    tokens.sort(key=lambda token: token.start)
    return tokens
