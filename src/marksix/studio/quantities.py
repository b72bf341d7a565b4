"""Numbers with their scale, unit, currency or percent sign, in English and in Chinese, as exact values.

    "$15 billion"    -> money  15000000000 USD      "150億美元"  -> money  15000000000 USD
    "2 million"      -> number 2000000              "200萬"      -> number 2000000
    "18,000"         -> number 18000                "1.8萬"      -> number 18000
    "40 megawatts"   -> number 40000000 W           "40兆瓦"     -> number 40000000 W
    "12.5 per cent"  -> percent 12.5                "百分之十二點五" -> percent 12.5

Values are `Decimal`, never float, so 1.8萬 is 18000 exactly. English scale
words are powers of a thousand; Chinese ones are powers of ten thousand (萬,
億), which is where translations go wrong: 15 billion is 150億, not 15億.
Units are folded into a base unit (megawatt and 兆瓦 are both 10^6 W), so
"兆" before 瓦 is read as mega, not as the Chinese scale word 10^12.

Plain Chinese numerals count only with a scale (五十億), a unit, a currency, a
percent or 第, so "兩間公司" is not a fact; English number words count only
before a scale word ("two million"), for the same reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

KIND_NUMBER = "number"
KIND_MONEY = "money"
KIND_PERCENT = "percent"

ENGLISH_SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "bn": Decimal(10) ** 9,
    "tn": Decimal(10) ** 12,
}
#: Short scales that are only scales right after a currency ("$3m", "€2.5k"); alone, "100m" is metres.
MONEY_SCALES = {"k": Decimal(10) ** 3, "m": Decimal(10) ** 6, "b": Decimal(10) ** 9}
CHINESE_SCALES = {
    "萬億": Decimal(10) ** 12,
    "千億": Decimal(10) ** 11,
    "百億": Decimal(10) ** 10,
    "億": Decimal(10) ** 8,
    "千萬": Decimal(10) ** 7,
    "百萬": Decimal(10) ** 6,
    "萬": Decimal(10) ** 4,
    "兆": Decimal(10) ** 12,
    "千": Decimal(10) ** 3,
    "百": Decimal(10) ** 2,
}
ENGLISH_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "a": 1,
}
#: unit word -> (base unit, factor). English and Chinese both fold into these.
UNITS: dict[str, tuple[str, Decimal]] = {
    "kilowatts": ("W", Decimal(10) ** 3),
    "kilowatt": ("W", Decimal(10) ** 3),
    "kw": ("W", Decimal(10) ** 3),
    "megawatts": ("W", Decimal(10) ** 6),
    "megawatt": ("W", Decimal(10) ** 6),
    "mw": ("W", Decimal(10) ** 6),
    "gigawatts": ("W", Decimal(10) ** 9),
    "gigawatt": ("W", Decimal(10) ** 9),
    "gw": ("W", Decimal(10) ** 9),
    "千瓦": ("W", Decimal(10) ** 3),
    "兆瓦": ("W", Decimal(10) ** 6),
    "百萬瓦": ("W", Decimal(10) ** 6),
    "吉瓦": ("W", Decimal(10) ** 9),
    "千兆瓦": ("W", Decimal(10) ** 9),
    "kilometres": ("m", Decimal(10) ** 3),
    "kilometers": ("m", Decimal(10) ** 3),
    "km": ("m", Decimal(10) ** 3),
    "公里": ("m", Decimal(10) ** 3),
    "miles": ("mile", Decimal(1)),
    "英里": ("mile", Decimal(1)),
    "kg": ("g", Decimal(10) ** 3),
    "公斤": ("g", Decimal(10) ** 3),
    "tonnes": ("t", Decimal(1)),
    "tons": ("t", Decimal(1)),
    "噸": ("t", Decimal(1)),
}
CURRENCY_PREFIXES = {
    "us$": "USD",
    "hk$": "HKD",
    "a$": "AUD",
    "c$": "CAD",
    "s$": "SGD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "usd": "USD",
    "hkd": "HKD",
    "eur": "EUR",
    "gbp": "GBP",
    "rmb": "CNY",
    "cny": "CNY",
}
CURRENCY_SUFFIXES = {
    "dollars": "USD",
    "euros": "EUR",
    "pounds": "GBP",
    "yuan": "CNY",
    "yen": "JPY",
    "美元": "USD",
    "美金": "USD",
    "港元": "HKD",
    "港幣": "HKD",
    "港圓": "HKD",
    "歐元": "EUR",
    "英鎊": "GBP",
    "人民幣": "CNY",
    "日圓": "JPY",
    "日元": "JPY",
    "澳元": "AUD",
    "加元": "CAD",
}

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A digit run glued to Latin letters is part of a name (H100, A100), not a quantity.
_NOT_IN_WORD = r"(?<![A-Za-z\d.])"
_PREFIX = "|".join(re.escape(key) for key in sorted(CURRENCY_PREFIXES, key=len, reverse=True))
_EN_SCALE = "|".join(sorted(ENGLISH_SCALES, key=len, reverse=True))
_EN_WORD = "|".join(sorted(ENGLISH_WORDS, key=len, reverse=True))
_LATIN_UNITS = sorted((unit for unit in UNITS if unit.isascii()), key=len, reverse=True)
_CJK_UNITS = sorted((unit for unit in UNITS if not unit.isascii()), key=len, reverse=True)
_EN_SUFFIX = "|".join(key for key in CURRENCY_SUFFIXES if key.isascii())
_ZH_SUFFIX = "|".join(sorted((key for key in CURRENCY_SUFFIXES if not key.isascii()), key=len, reverse=True))

ENGLISH_QUANTITY = re.compile(
    rf"(?P<prefix>{_PREFIX})?\s?{_NOT_IN_WORD}(?:(?P<digits>{_DIGITS})|(?P<word>\b(?:{_EN_WORD})\b)(?=[\s-]+(?:{_EN_SCALE})\b))"
    rf"(?:(?:\s|-)?(?P<scale>(?:{_EN_SCALE})\b)|(?P<short>[kmb])\b)?"
    rf"(?:\s?(?P<percent>%|per\s?cent\b|percentage points?\b))?"
    rf"(?:[\s-]?(?P<unit>(?:{'|'.join(_LATIN_UNITS)})\b))?"
    rf"(?:\s(?:(?:us|hong kong|hk)\s)?(?P<suffix>{_EN_SUFFIX})\b)?",
    re.IGNORECASE,
)

_ZH_NUMERAL_CHARS = "零〇一二兩三四五六七八九十百千萬億兆點"
_ZH_SCALE = "|".join(sorted(CHINESE_SCALES, key=len, reverse=True))
# 兆 and 千 before 瓦 belong to the unit (mega-, kilo-watt), not to the number.
_NOT_UNIT = r"(?!兆瓦|千瓦|千兆瓦|百萬瓦)"
CHINESE_QUANTITY = re.compile(
    rf"(?P<ordinal>第)?(?P<percent_of>百分之)?"
    rf"(?:(?P<prefix>{_PREFIX})\s?)?"
    rf"(?:{_NOT_IN_WORD}(?P<digits>{_DIGITS})\s?(?P<scale>(?:{_NOT_UNIT}(?:{_ZH_SCALE}))+)?|(?P<numeral>(?:{_NOT_UNIT}[{_ZH_NUMERAL_CHARS}])+))"
    rf"(?:\s?(?P<unit>{'|'.join(_CJK_UNITS + _LATIN_UNITS)}))?"
    rf"(?:\s?(?P<points>個百分點))?"
    rf"(?:\s?(?P<percent>[%％]))?"
    rf"(?:\s?(?:多)?(?P<suffix>{_ZH_SUFFIX}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """One number as written (`text`, at `start`) and what it means."""

    kind: str  # number, money, percent
    value: Decimal
    unit: str  # base unit (W, m), a currency code for money, "" otherwise
    text: str
    start: int

    @property
    def key(self) -> tuple[str, Decimal, str]:
        return (self.kind, self.value.normalize(), self.unit)


def fold(text: str) -> str:
    """Full-width digits, signs and letters to ASCII (NFKC), keeping the Chinese as it is."""
    return unicodedata.normalize("NFKC", text)


def _decimal(digits: str) -> Decimal:
    return Decimal(digits.replace(",", ""))


def _english(match: re.Match[str]) -> Quantity | None:
    groups = match.groupdict()
    word = groups["word"]
    value = _decimal(groups["digits"]) if groups["digits"] else Decimal(ENGLISH_WORDS[word.lower()])
    currency = CURRENCY_PREFIXES.get((groups["prefix"] or "").lower().strip()) or CURRENCY_SUFFIXES.get(
        (groups["suffix"] or "").lower()
    )
    if groups["scale"]:
        value *= ENGLISH_SCALES[groups["scale"].lower()]
    elif groups["short"]:
        if not currency:
            return None  # "100m" alone is a distance, and "5k" too loose to call
        value *= MONEY_SCALES[groups["short"].lower()]
    if groups["percent"]:
        return Quantity(KIND_PERCENT, value, "", match.group(0).strip(), match.start())
    unit = ""
    if groups["unit"]:
        unit, factor = UNITS[groups["unit"].lower()]
        value *= factor
    kind = KIND_MONEY if currency else KIND_NUMBER
    return Quantity(kind, value, currency or unit, match.group(0).strip(), match.start())


def english_quantities(text: str) -> list[Quantity]:
    """Every quantity in English text, in order."""
    folded = fold(text)
    found = (_english(match) for match in ENGLISH_QUANTITY.finditer(folded))
    return [quantity for quantity in found if quantity is not None]


def chinese_numeral(run: str) -> Decimal | None:
    """The value of a Chinese numeral (一百五十億, 兩萬三千, 十二點五); None if it is not one."""
    if not run:
        return None
    if "點" in run:
        whole, _, fraction = run.partition("點")
        base = chinese_numeral(whole) if whole else Decimal(0)
        digits = [_DIGIT_VALUES.get(char) for char in fraction]
        if base is None or not digits or any(digit is None for digit in digits):
            return None
        return base + Decimal("0." + "".join(str(digit) for digit in digits))
    if len(run) > 1 and all(char in _DIGIT_VALUES for char in run):
        return _digit_string(run)  # 二〇二四: digits read one by one
    total = Decimal(0)
    section = Decimal(0)  # the part below the current 萬 or 億
    number: int | None = None
    for char in run:
        if char in "零〇":
            continue  # a placeholder: 一百零一
        if char in _DIGIT_VALUES:
            if number is not None:
                return None
            number = _DIGIT_VALUES[char]
        elif char in "十百千":
            section += Decimal(number if number is not None else 1) * {"十": 10, "百": 100, "千": 1000}[char]
            number = None
        elif char in "萬億兆":
            big = {"萬": Decimal(10) ** 4, "億": Decimal(10) ** 8, "兆": Decimal(10) ** 12}[char]
            section += number or 0
            number = None
            if section == 0:
                if total == 0:
                    return None
                total *= big  # 萬億: a scale on top of the last one
            else:
                total += section * big
            section = Decimal(0)
        else:
            return None
    return total + section + (number or 0)


_DIGIT_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _digit_string(run: str) -> Decimal | None:
    if all(char in _DIGIT_VALUES for char in run):
        return Decimal("".join(str(_DIGIT_VALUES[char]) for char in run))
    return None


def _chinese(match: re.Match[str]) -> Quantity | None:
    groups = match.groupdict()
    if not (groups["digits"] or groups["numeral"]):
        return None
    if groups["digits"]:
        value = _decimal(groups["digits"])
        for scale in re.findall(_ZH_SCALE, groups["scale"] or ""):
            value *= CHINESE_SCALES[scale]
    else:
        numeral = groups["numeral"]
        parsed = chinese_numeral(numeral)
        if parsed is None:
            return None
        meaningful = any(
            groups[name]
            for name in ("ordinal", "percent_of", "prefix", "unit", "points", "percent", "suffix")
        )
        if not meaningful and not any(char in numeral for char in "萬億兆"):
            return None  # 兩間公司, 一些: words, not figures
        value = parsed
    text = match.group(0)
    if groups["percent_of"] or groups["points"] or groups["percent"]:
        return Quantity(KIND_PERCENT, value, "", text, match.start())
    currency = CURRENCY_PREFIXES.get((groups["prefix"] or "").lower()) or CURRENCY_SUFFIXES.get(
        groups["suffix"] or ""
    )
    unit = ""
    if groups["unit"]:
        unit, factor = UNITS[groups["unit"].lower()]
        value *= factor
    kind = KIND_MONEY if currency else KIND_NUMBER
    return Quantity(kind, value, currency or unit, text, match.start())


def chinese_quantities(text: str) -> list[Quantity]:
    """Every quantity in Chinese text (Arabic digits, Chinese numerals or both), in order."""
    folded = fold(text)
    found = (_chinese(match) for match in CHINESE_QUANTITY.finditer(folded))
    return [quantity for quantity in found if quantity is not None]


def significant_digits(value: Decimal) -> str:
    """The digits without the scale: 15 billion and 15億 both give "15", which is how a slip shows."""
    digits = "".join(str(digit) for digit in value.normalize().as_tuple().digits)
    return digits.rstrip("0") or "0"


def in_chinese_units(value: Decimal) -> str:
    """How Hong Kong writes a big number: 150億, 200萬, 1.8萬; small ones as they are."""
    for scale, name in ((Decimal(10) ** 8, "億"), (Decimal(10) ** 4, "萬")):
        if abs(value) >= scale:
            scaled = (value / scale).normalize()
            return f"{scaled:f}{name}"
    return f"{value.normalize():f}"
