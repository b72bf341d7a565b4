"""The numeric firewall: model text is posted only if it says nothing the engine did not.

Checks, in order, each naming its reason:
- every number (ASCII, full-width, Chinese numerals) is one the template reply
  already shows (tickets, statistics, dates, times, the help line);
- every ticket number is still there, and the 18+ notice and help line too;
- the reply still mentions the commenter, and no one else;
- no link and no win claim;
- it is in the reply's language and script (no Simplified characters in a
  Cantonese reply, no Traditional ones in a Mandarin reply, no Chinese in an
  English one) unless the template itself uses them;
- it fits the character limit.

A reading of a comment (`check_reading`, see llm/reading.py) is held to the
same rule: its numbers must be ones the comment already contains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from marksix.language.detect import CJK, to_simplified, to_traditional
from marksix.language.safety import MENTION, forbidden_claims, has_link, numbers_in

HELP_LINE = "1834 633"
AGE_NOTICE = "18+"
#: Cantonese words OpenCC would "convert" although they are right as written (吓, 晒).
CANTONESE_AS_WRITTEN = frozenset("吓晒哂")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str | None = None


def check_rephrasing(
    candidate: str,
    template: str,
    *,
    username: str,
    language: str | None = None,
    tickets: Iterable[Iterable[int]],
    max_chars: int,
    allowed_numbers: Iterable[str] = (),
) -> Verdict:
    """Whether `candidate` may replace `template`; the first violation otherwise."""
    text = candidate.strip()
    if not text:
        return Verdict(False, "empty text")
    allowed = set(numbers_in(template)) | set(allowed_numbers)
    stray = [number for number in numbers_in(text) if number not in allowed]
    if stray:
        return Verdict(False, f"number not from the engine: {stray[0]}")
    shown = set(numbers_in(text))
    for ticket in tickets:
        missing = [number for number in ticket if str(number) not in shown]
        if missing:
            return Verdict(False, f"ticket number {missing[0]} missing")
    if HELP_LINE not in text or AGE_NOTICE not in text:
        return Verdict(False, "18+ notice or help line missing")
    claims = forbidden_claims(text)
    if claims:
        return Verdict(False, f"forbidden claim: {claims[0]}")
    if has_link(text):
        return Verdict(False, "contains a link")
    mentions = {mention.lower() for mention in MENTION.findall(text)}
    expected = f"@{username.lstrip('@')}".lower()
    if username and expected not in mentions:
        return Verdict(False, "does not mention the commenter")
    if mentions - {expected}:
        return Verdict(False, "mentions someone else")
    script = _script_problem(text, template, language)
    if script:
        return Verdict(False, script)
    if len(text) > max_chars:
        return Verdict(False, f"too long: {len(text)} > {max_chars} characters")
    return Verdict(True)


def _script_problem(text: str, template: str, language: str | None) -> str | None:
    """Characters of the wrong script (or language) that the template does not use itself."""
    new_chinese = set(CJK.findall(text)) - set(template)
    if language == "en" and new_chinese:
        return "not in English"
    if language == "zh-HK":
        simplified = {
            c for c in new_chinese - CANTONESE_AS_WRITTEN if to_traditional(c) != c == to_simplified(c)
        }
        if simplified:
            return f"Simplified characters in a Cantonese reply: {''.join(sorted(simplified))}"
    if language == "zh-CN":
        traditional = {c for c in new_chinese if to_simplified(c) != c == to_traditional(c)}
        if traditional:
            return f"Traditional characters in a Mandarin reply: {''.join(sorted(traditional))}"
    return None


def check_reading(
    reading: object, comment: str, *, intents: Iterable[str], topics: Mapping[str, str]
) -> Verdict:
    """Whether an LLM's reading of `comment` is exactly the fixed schema, with nothing invented.

    `reading` is the decoded JSON; `topics` maps each allowed topic to its
    intent. Every number in the parameters must be one the comment itself
    contains (the same numeric firewall as for phrasing), so the model can
    sort what was written but never add a ball.
    """
    if not isinstance(reading, dict) or set(reading) != READING_KEYS:
        return Verdict(False, "not the reading schema")
    intent, topic, parameters = reading["intent"], reading["topic"], reading["parameters"]
    if intent not in set(intents):
        return Verdict(False, f"intent not allowed: {intent!r}")
    if topic not in topics or topics[topic] != intent:
        return Verdict(False, f"topic not allowed under {intent}: {topic!r}")
    if not isinstance(parameters, dict) or set(parameters) != READING_PARAMETERS:
        return Verdict(False, "parameters are not the reading schema")
    written = set(numbers_in(comment))
    for key in ("include", "exclude"):
        values = parameters[key]
        if not isinstance(values, list) or not all(_ball(value) for value in values):
            return Verdict(False, f"{key} is not a list of balls 1-49")
        invented = [value for value in values if str(value) not in written]
        if invented:
            return Verdict(False, f"number not in the comment: {invented[0]}")
    lines = parameters["lines"]
    if lines is not None:
        if not _whole(lines) or not 1 <= lines <= MAX_READ_LINES:
            return Verdict(False, "lines is not a count from 1 to 5")
        if str(lines) not in written:
            return Verdict(False, f"number not in the comment: {lines}")
    return Verdict(True)


READING_KEYS = frozenset({"intent", "topic", "parameters"})
READING_PARAMETERS = frozenset({"include", "exclude", "lines"})
MAX_READ_LINES = 5


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ball(value: object) -> bool:
    return _whole(value) and 1 <= value <= 49  # type: ignore[operator]
