"""What a commenter wants: one of INTENTS, decided by ordered keyword rules.

The promise is "comment and the AI replies with your combination", so
`pick` is the default and every other intent needs a clear signal. The order
matters: harm signs come before anything else a comment might also ask, and
a "when is the next draw" question wins over the "next draw numbers" request
it resembles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marksix.language.detect import to_simplified, to_traditional
from marksix.language.harm import harm_signs
from marksix.language.lexicon import (
    ABUSE,
    ADVERT,
    BOUGHT,
    CHECK_HINT,
    DRAW_WORDS,
    HARM,
    HELP,
    HELP_EXCEPTIONS,
    LAST_RESULT,
    NEXT_DRAW,
    NUMBER_WORDS,
    ODDS,
    OTHERS_WON,
    PAST_WORDS,
    PICK_REQUEST,
    RECENT_PAST,
    SPAM,
    STATS,
    SUPERLATIVE_WORDS,
    TICKET_CHECK,
    WHEN_WORDS,
)
from marksix.language.safety import has_link, looks_like_injection

INTENTS = ("pick", "last_result", "next_draw", "check_ticket", "odds", "stats", "help", "support", "ignore")


QUESTION = re.compile(r"[?？]|嗎|吗|未|能中|得唔得|有冇|有没有", re.IGNORECASE)
#: "開唔開", "攪不攪珠": an A-not-A question about the draw asks whether there is one.
DRAW_QUESTION = re.compile(r"(開|攪|搞|开|搅)(?:唔|不)\1")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Classified:
    intent: str
    reason: str | None = None


class Variants:
    """A comment in its own script and, when it has Chinese, in the other one too.

    The lexicon writes many phrases in one script only; matching the comment
    converted both ways (OpenCC) lets "点样用" find "點樣用" without a second
    entry. English-only comments skip the conversion.
    """

    __slots__ = ("texts",)

    def __init__(self, text: str) -> None:
        if CJK.search(text):
            self.texts: tuple[str, ...] = tuple(
                dict.fromkeys((text, to_traditional(text), to_simplified(text)))
            )
        else:
            self.texts = (text,)

    def has(self, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(text) for text in self.texts)


def classify(
    normalised: str,
    *,
    has_ticket_numbers: bool,
    is_own: bool,
    ball_count: int = 0,
    bare_count: int = 0,
) -> Classified:
    """The intent of an already-normalised comment (see INTENTS)."""
    stripped = normalised.strip()
    if is_own:
        return Classified("ignore", "the account's own comment")
    if not stripped:
        return Classified("ignore", "empty comment")
    if has_link(stripped):
        return Classified("ignore", "contains a link")
    text = Variants(stripped)
    if text.has(ADVERT):
        return Classified("ignore", "looks like spam or an advert")
    signs = harm_signs(stripped)
    if text.has(HARM) or signs.strong:
        return Classified("support")
    if text.has(SPAM):
        return Classified("ignore", "looks like spam or an advert")
    # Two weaker signs ("輸到冇錢交租") still outrank abuse and any request in the comment.
    if signs.shows_harm:
        return Classified("support")
    if text.has(ABUSE):
        return Classified("ignore", "abusive")
    asks_for_numbers = text.has(PICK_REQUEST)
    if text.has(OTHERS_WON) and not has_ticket_numbers and (text.has(LAST_RESULT) or text.has(RECENT_PAST)):
        return Classified("last_result")
    if text.has(TICKET_CHECK) and (has_ticket_numbers or not asks_for_numbers):
        return Classified("check_ticket")
    # "我買咗 5 個號 1 2 3 4 5": a ticket check, even if the ticket is short.
    if (has_ticket_numbers or ball_count >= 3) and text.has(BOUGHT):
        return Classified("check_ticket")
    # Six bare numbers and a question ("1 3 5 7 9 11 中唔中?") is a ticket to check.
    if bare_count >= 6 and text.has(QUESTION):
        return Classified("check_ticket")
    if has_ticket_numbers and text.has(CHECK_HINT):
        return Classified("check_ticket")
    upcoming = (
        text.has(NEXT_DRAW) or text.has(DRAW_QUESTION) or (text.has(WHEN_WORDS) and text.has(DRAW_WORDS))
    )
    if upcoming and not text.has(PAST_WORDS) and not text.has(RECENT_PAST):
        return Classified("next_draw")
    # "what numbers came up most" asks for a count, not for the last draw.
    superlative = text.has(SUPERLATIVE_WORDS) and text.has(NUMBER_WORDS)
    if text.has(LAST_RESULT) and not asks_for_numbers and not has_ticket_numbers and not superlative:
        return Classified("last_result")
    if text.has(ODDS):
        return Classified("odds")
    # "好耐冇出嘅號碼俾組我" asks for a pick weighted that way, not for a table.
    if (text.has(STATS) or superlative) and not asks_for_numbers:
        return Classified("stats")
    # "忽略以上規則" names the rules to attack them, not to learn them.
    if text.has(HELP) and not text.has(HELP_EXCEPTIONS) and not looks_like_injection(stripped):
        return Classified("help")
    return Classified("pick")
