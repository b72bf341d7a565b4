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
    PAST_WORDS,
    PICK_REQUEST,
    SPAM,
    STATS,
    SUPERLATIVE_WORDS,
    TICKET_CHECK,
    WHEN_WORDS,
)
from marksix.language.safety import has_link, looks_like_injection

INTENTS = ("pick", "last_result", "next_draw", "check_ticket", "odds", "stats", "help", "support", "ignore")


QUESTION = re.compile(r"[?？]|嗎|吗|未|能中|得唔得|有冇|有没有", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Classified:
    intent: str
    reason: str | None = None


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
    if ADVERT.search(stripped):
        return Classified("ignore", "looks like spam or an advert")
    signs = harm_signs(stripped)
    if HARM.search(stripped) or signs.strong:
        return Classified("support")
    if SPAM.search(stripped):
        return Classified("ignore", "looks like spam or an advert")
    # Two weaker signs ("輸到冇錢交租") still outrank abuse and any request in the comment.
    if signs.shows_harm:
        return Classified("support")
    if ABUSE.search(stripped):
        return Classified("ignore", "abusive")
    if TICKET_CHECK.search(stripped) and (has_ticket_numbers or not _asks_for_numbers(stripped)):
        return Classified("check_ticket")
    # "我買咗 5 個號 1 2 3 4 5": a ticket check, even if the ticket is short.
    if (has_ticket_numbers or ball_count >= 3) and BOUGHT.search(stripped):
        return Classified("check_ticket")
    # Six bare numbers and a question ("1 3 5 7 9 11 中唔中?") is a ticket to check.
    if bare_count >= 6 and QUESTION.search(stripped):
        return Classified("check_ticket")
    if has_ticket_numbers and CHECK_HINT.search(stripped):
        return Classified("check_ticket")
    upcoming = NEXT_DRAW.search(stripped) or (WHEN_WORDS.search(stripped) and DRAW_WORDS.search(stripped))
    if upcoming and not PAST_WORDS.search(stripped):
        return Classified("next_draw")
    if LAST_RESULT.search(stripped) and not _asks_for_numbers(stripped) and not has_ticket_numbers:
        return Classified("last_result")
    if ODDS.search(stripped):
        return Classified("odds")
    # "好耐冇出嘅號碼俾組我" asks for a pick weighted that way, not for a table.
    superlative = SUPERLATIVE_WORDS.search(stripped) and NUMBER_WORDS.search(stripped)
    if (STATS.search(stripped) or superlative) and not _asks_for_numbers(stripped):
        return Classified("stats")
    # "忽略以上規則" names the rules to attack them, not to learn them.
    if HELP.search(stripped) and not HELP_EXCEPTIONS.search(stripped) and not looks_like_injection(stripped):
        return Classified("help")
    return Classified("pick")


def _asks_for_numbers(normalised: str) -> bool:
    return PICK_REQUEST.search(normalised) is not None
