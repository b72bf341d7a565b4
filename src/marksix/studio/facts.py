"""The checkable facts of a text: quantities (see `quantities`), dates and months, and Latin-script names.

Dates are read before numbers and blanked out, so "March 5, 2024" is one date
and not the numbers 5 and 2024. A date's key holds only what was written:
"in March" is (None, 3, None) and agrees with 2024年3月.

Names are runs of capitalised Latin words ("Mark Zuckerberg", "Bank of
America", "GPT-4o", "OpenAI"). A single capitalised word that only ever
starts a sentence is taken for an ordinary word ("Today", "Analysts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marksix.studio.quantities import Quantity, chinese_numeral, chinese_quantities, english_quantities, fold

KIND_DATE = "date"
KIND_NAME = "name"

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "|".join(sorted((name.capitalize() for name in MONTHS), key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
ENGLISH_DATES = [
    re.compile(
        rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}}))?"
    ),
    re.compile(rf"\b(?P<month>{_MONTH})\b\.?\s+(?P<day>\d{{1,2}}){_ORDINAL}\b(?:,?\s+(?P<year>\d{{4}}))?"),
    # "May" alone is too often the verb; it counts only with a year.
    re.compile(rf"\b(?P<month>(?!May\b)(?:{_MONTH}))\b\.?(?:\s+(?:of\s+)?(?P<year>\d{{4}}))?"),
    re.compile(r"\b(?P<month>May)\s+(?P<year>\d{4})\b"),
    re.compile(r"(?<![\d,.$])\b(?P<year>(?:19|20)\d{2})\b(?![\d%]|[.,]\d|\s*(?:million|billion|thousand))"),
]
_ZH_DIGITS = "〇零一二兩三四五六七八九十"
CHINESE_DATE = re.compile(
    rf"(?:(?P<year>\d{{4}}|[{_ZH_DIGITS}]{{4}})\s?年)?"
    rf"(?:(?P<month>\d{{1,2}}|[{_ZH_DIGITS}]{{1,3}})\s?月(?:份)?)?"
    rf"(?:(?P<day>\d{{1,2}}|[{_ZH_DIGITS}]{{1,3}})\s?[日號])?"
)

#: Words that open a sentence or a phrase and are trimmed off a name ("The Verge" -> "Verge").
LEADING_WORDS = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "But",
        "And",
        "For",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
    ]
)
#: Capitalised words that are never a name by themselves.
NOT_NAMES = (
    LEADING_WORDS
    | frozenset(
        {
            "Their",
            "Our",
            "We",
            "He",
            "She",
            "They",
            "His",
            "Her",
            "I",
            "You",
            "Mr",
            "Mrs",
            "Ms",
            "Dr",
            "However",
            "Meanwhile",
            "Also",
            "Still",
            "Yet",
            "So",
            "Now",
            "Then",
            "There",
            "Here",
            "What",
            "Why",
            "How",
            "Who",
            "Where",
            "Which",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "AI",
            "CEO",
            "CFO",
            "CTO",
            "COO",
            "US",
            "U.S.",
            "UK",
            "EU",
            "GPU",
            "GPUs",
            "CPU",
            "API",
        }
    )
    | {name.capitalize() for name in MONTHS}
)
# ASCII only: Chinese characters are word characters to `\w` and `\b`.
_WORD = r"[A-Z](?:[A-Za-z0-9&.+_-]|['’][A-Z])*[A-Za-z0-9+]|[A-Z]"
LATIN_NAME = re.compile(
    rf"(?<![A-Za-z0-9'’])(?:{_WORD})(?:(?:\s+(?:of|de|la|van|von|der|du|&)\s+|\s+)(?:{_WORD}))*"
)
SENTENCE_START = re.compile(r"(?:^|[.!?:\"“”]\s+|\n\s*)$")


@dataclass(frozen=True, slots=True)
class Fact:
    """One checkable fact: what kind, its comparable key, and the words that said it."""

    kind: str  # number, money, percent, date, name
    key: tuple[object, ...]
    text: str
    start: int

    @classmethod
    def of_quantity(cls, quantity: Quantity) -> Fact:
        return cls(quantity.kind, quantity.key, quantity.text, quantity.start)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _small(written: str | None) -> int | None:
    if not written:
        return None
    if written.isdigit():
        return int(written)
    value = chinese_numeral(written)
    return int(value) if value is not None else None


def english_dates(text: str) -> tuple[list[Fact], str]:
    """The dates in English text, and the text with them blanked out."""
    found: list[Fact] = []
    for pattern in ENGLISH_DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = MONTHS[groups["month"].lower()] if groups.get("month") else None
            day = _small(groups.get("day"))
            year = _small(groups.get("year"))
            if day is not None and not 1 <= day <= 31:
                continue
            found.append(Fact(KIND_DATE, (year, month, day), match.group(0).strip(), match.start()))
            text = _blank(text, match.start(), match.end())
    return sorted(found, key=lambda fact: fact.start), text


def chinese_dates(text: str) -> tuple[list[Fact], str]:
    """The dates in Chinese text (2024年3月5日, 三月, 2024年), and the text with them blanked out."""
    found: list[Fact] = []
    for match in CHINESE_DATE.finditer(text):
        groups = match.groupdict()
        if not (groups["year"] or groups["month"]):
            continue
        year, month, day = _small(groups["year"]), _small(groups["month"]), _small(groups["day"])
        if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
            continue
        found.append(Fact(KIND_DATE, (year, month, day), match.group(0), match.start()))
        text = _blank(text, match.start(), match.end())
    return found, text


def english_facts(text: str) -> list[Fact]:
    """Dates, then the numbers, money and percentages left, in English text."""
    folded = fold(text)
    dates, rest = english_dates(folded)
    return sorted(dates + [Fact.of_quantity(q) for q in english_quantities(rest)], key=lambda f: f.start)


def chinese_facts(text: str) -> list[Fact]:
    """Dates, then the numbers, money and percentages left, in Chinese text."""
    folded = fold(text)
    dates, rest = chinese_dates(folded)
    return sorted(dates + [Fact.of_quantity(q) for q in chinese_quantities(rest)], key=lambda f: f.start)


def _trim(name: str, at_start: bool) -> str:
    words = name.split()
    while words and words[0] in LEADING_WORDS:
        words.pop(0)
    # "Shares of Nvidia": a sentence's first word joined to a name by "of" is not part of it.
    if at_start and len(words) > 2 and words[1] == "of" and words[0][1:].islower():
        words = words[2:]
    while words and words[-1] in {"of", "de", "la", "van", "von", "der", "du", "&"}:
        words.pop()
    trimmed = " ".join(words)
    for ending in ("'s", "’s"):
        trimmed = trimmed.removesuffix(ending)
    return trimmed.rstrip(".")


def latin_names(text: str) -> list[str]:
    """The Latin-script names in `text`, each once, in order of first mention."""
    mid_sentence: set[str] = set()
    candidates: list[tuple[str, bool]] = []
    for match in LATIN_NAME.finditer(text):
        if text[match.end() : match.end() + 1] == "$":
            continue  # HK$, US$, A$: a currency sign, not a name
        at_start = bool(SENTENCE_START.search(text[: match.start()]))
        name = _trim(match.group(0), at_start)
        if not name or name in NOT_NAMES:
            continue
        # "The Verge" trimmed to "Verge" no longer starts the sentence.
        starts = at_start and match.group(0).startswith(name)
        candidates.append((name, starts))
        if not starts:
            mid_sentence.add(name)
    names: list[str] = []
    for name, starts in candidates:
        single = " " not in name
        plain = name[1:].islower() and name.isalpha()
        if starts and single and plain and name not in mid_sentence:
            continue
        if name not in names:
            names.append(name)
    return names
