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
"""

from __future__ import annotations

from collections.abc import Iterable
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
