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

from marksix.language.classifier import shipped_model
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
from marksix.language.topics import (
    TOPIC_INTENT,
    courtesy_topic,
    game_question_topic,
    number_topic,
    question_topic,
    refine_topic,
    safety_screen,
)

#: How sure the classifier must be to overrule a fallback (higher to hand out numbers).
MODEL_CONFIDENCE = 0.6
PICK_CONFIDENCE = 0.8
INTENTS = ("pick", "last_result", "next_draw", "check_ticket", "odds", "stats", "help", "support", "ignore")


QUESTION = re.compile(r"[?？]|嗎|吗|未|能中|得唔得|有冇|有没有", re.IGNORECASE)
#: "開唔開", "攪不攪珠": an A-not-A question about the draw asks whether there is one.
DRAW_QUESTION = re.compile(r"(開|攪|搞|开|搅)(?:唔|不)\1")
CJK = re.compile(r"[\u3400-\u9fff]")
#: A comment with no letters or characters at all ("🙏🙏", "8 18") is a request for numbers.
CJK_OR_WORD = re.compile(r"[\u3400-\u9fffa-z]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Classified:
    intent: str
    reason: str | None = None
    #: The finer topic (see topics.TOPIC_INTENT); the intent's own name when there is none finer.
    topic: str = ""
    #: The rules found no clear signal and fell back to a default: the classifier may advise.
    fallback: bool = False


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


#: "唔該晒！俾多組": thanks that comes with a request.
PLAIN_ASK_VERBS = re.compile(r"俾|畀|給|给|求|派|揀|pick|give|組|组|號|号|number", re.IGNORECASE)
#: What a comment that plainly asks for numbers looks like when no rule names it.
PLAIN_NUMBER_ASK = re.compile(
    r"號|号|冧巴|number|\bnums?\b|\bpick|lucky|\bline|組|组|注|揀|派|俾|畀|求|發財|发财|幸運|幸运|頭獎|头奖"
    r"|中獎|中奖|\+1|🙏|🍀|💰|🤑|✨|🎱|🤞|😍|中|win|luck|jackpot|多寶|多宝|靠(?:晒)?你|試下|试下|再嚟|再来"
    r"|單數|雙數|单数|双数|大數|細數|大数|小数|冷門|熱門|冷门|热门|\bhot|\bcold|balanced|random|unpopular"
    r"|\bsets?\b|combos?|tips?\b|買咩|买什么|nice|好嘢|發達|发达|運|运|加油|準|准|\btry\b|開咩|开什么|大過|小過",
    re.IGNORECASE,
)


def classify(
    normalised: str,
    *,
    has_ticket_numbers: bool,
    is_own: bool,
    ball_count: int = 0,
    bare_count: int = 0,
    has_parameters: bool = False,
    use_model: bool = True,
) -> Classified:
    """The intent and topic of an already-normalised comment (see INTENTS, topics.TOPIC_INTENT)."""
    found = _classify(
        normalised,
        has_ticket_numbers=has_ticket_numbers,
        is_own=is_own,
        ball_count=ball_count,
        bare_count=bare_count,
        has_parameters=has_parameters,
    )
    if found.fallback and use_model:
        found = _advised(found, normalised)
    if found.topic:
        return found
    return Classified(found.intent, found.reason, refine_topic(found.intent, normalised), found.fallback)


def _advised(found: Classified, normalised: str) -> Classified:
    """The classifier's intent where the rules only fell back to a default, if it is sure enough."""
    model = shipped_model()
    if model is None:
        return found
    intent, share = model.best(normalised)
    # The rules alone decide what must be exact: ignoring a comment and reading a ticket.
    if intent in ("ignore", "check_ticket") or intent == found.intent:
        return found
    if share < (PICK_CONFIDENCE if intent == "pick" else MODEL_CONFIDENCE):
        return found
    return Classified(intent, topic=refine_topic(intent, normalised))


def _classify(
    normalised: str,
    *,
    has_ticket_numbers: bool,
    is_own: bool,
    ball_count: int,
    bare_count: int,
    has_parameters: bool,
) -> Classified:
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
    # The safety screen outranks every request in the comment, and is never overridden.
    screened = safety_screen(stripped, steering=looks_like_injection(stripped))
    if screened is not None and screened.intent == "support":
        return Classified(screened.intent, topic=screened.topic)
    signs = harm_signs(stripped)
    if text.has(HARM) or signs.strong:
        return Classified("support", topic="harm")
    if screened is not None and not text.has(ABUSE):
        return Classified(screened.intent, topic=screened.topic)
    if text.has(SPAM):
        return Classified("ignore", "looks like spam or an advert")
    # Two weaker signs ("輸到冇錢交租") still outrank abuse and any request in the comment.
    if signs.shows_harm:
        return Classified("support", topic="harm")
    if text.has(ABUSE):
        return Classified("ignore", "abusive")
    asks_for_numbers = text.has(PICK_REQUEST)
    courtesy = courtesy_topic(stripped)
    if courtesy is not None and not (
        asks_for_numbers or ball_count or has_parameters or text.has(PLAIN_ASK_VERBS)
    ):
        return Classified("help", topic=courtesy)
    # A question about a named number or about the game is answered, not turned into a pick.
    if not asks_for_numbers and not has_ticket_numbers:
        topic = number_topic(stripped, ball_count) or game_question_topic(stripped)
        if topic is not None:
            return Classified(TOPIC_INTENT[topic], topic=topic)
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
    question = question_topic(stripped)
    if question is not None and not has_ticket_numbers:
        return Classified("help", topic=question)
    # "忽略以上規則" names the rules to attack them, not to learn them.
    if text.has(HELP) and not text.has(HELP_EXCEPTIONS) and not looks_like_injection(stripped):
        return Classified("help")
    plainly_asks = asks_for_numbers or ball_count or bare_count or has_parameters
    # A comment that tries to steer a model still gets the template pick, never the model.
    if plainly_asks or looks_like_injection(stripped):
        return Classified("pick")
    if text.has(PLAIN_NUMBER_ASK) or not CJK_OR_WORD.search(stripped):
        return Classified("pick", fallback=True)
    # Not recognised and not plainly a request for numbers: a "try asking me" reply.
    return Classified("help", topic="unclear", fallback=True)
