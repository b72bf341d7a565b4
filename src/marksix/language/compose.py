"""From a comment to the reply the account posts: understand, pick, word, fit.

Each commenter's combination and wording are seeded by
HMAC-SHA256(secret, draw key + comment id): the same comment always gets
the same reply (auditable), and two commenters get different ones. Every
number in the text is recorded as it is written from engine values, so the
LLM firewall and the tests can check that no other number got in.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from marksix.language.answers import Answer, Ask, Facts, answer_for, request_json
from marksix.language.constraints import (
    CANNOT_HONOUR,
    CONSTRAINT_NAMES,
    apply_constraints,
    read_constraints,
    rewrite_grammar,
)
from marksix.language.detect import LANGUAGES, detect_language
from marksix.language.draw_day import closed_part, draw_today, jackpot
from marksix.language.fitting import Part, fit
from marksix.language.intents import CJK_OR_WORD, INTENTS, Classified, classify
from marksix.language.model import Comment, Reading, Reply, ReplyContext
from marksix.language.number_answers import multiple_odds, number_question, prize_amount
from marksix.language.numerals import normalise
from marksix.language.parameters import Parameters, parse_parameters
from marksix.language.questions import QUESTION_ANSWERS
from marksix.language.safety import MENTION, has_link, numbers_in
from marksix.language.templates import WORDINGS
from marksix.language.topic_replies import TOPICS, topic_answer
from marksix.language.topics import TOPIC_INTENT

MAX_READ_CHARS = 600
#: Finer questions answered on their own whatever numbers the comment names (a number's gap, a banker).
NAMED_QUESTIONS: dict[str, Callable[[Ask], Answer | None]] = {
    "number_gap": lambda ask: number_question(ask, "number_gap"),
    "number_frequency": lambda ask: number_question(ask, "number_frequency"),
    "number_hot": lambda ask: number_question(ask, "number_hot"),
    "multiple_odds": multiple_odds,
    "prize_amount": prize_amount,
    "jackpot": jackpot,
    "draw_today": draw_today,
}
#: Replies that say "today's draw has closed" between sales close and the result.
CLOSED_NOTES = {
    "pick": "closed_pick",
    "next_draw": "closed_note",
    "last_result": "closed_note",
    "check_ticket": "closed_note",
}
#: The LLM reader may not decide what the rules must: ignoring a comment, or reading a ticket.
READER_INTENTS = frozenset(INTENTS) - {"ignore", "check_ticket"}
#: "1 draws" -> "1 draw": English counts of one in the wording's plural forms.
ENGLISH_ONE = re.compile(r"(?<![\d.,])1 (draw|line|entr|number|time|set)(s|ies)\b")


@dataclass(frozen=True, slots=True)
class Composed:
    reply: Reply
    #: Every number the reply may show, in canonical form (see safety.numbers_in).
    allowed_numbers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Seed:
    digest: bytes

    def rng(self) -> random.Random:
        return random.Random(int.from_bytes(self.digest, "big"))

    def choice(self, options: tuple[str, ...], salt: int) -> str:
        # Different bytes of the digest for each choice, so the template and
        # the honest line vary independently of each other and of the picks.
        index = int.from_bytes(self.digest[4 * salt : 4 * salt + 4], "big")
        return options[index % len(options)]


def seed_for(secret: str, draw_key: str, comment_id: str) -> Seed:
    message = f"{draw_key}\x1f{comment_id}".encode()
    return Seed(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def _language(comment: Comment, context: ReplyContext) -> str:
    if context.language in LANGUAGES:
        return context.language
    # "@ah_ming 睇吓": a friend's handle is no English word; the account's default stands for a bare tag.
    return detect_language(MENTION.sub(" ", comment.text[:MAX_READ_CHARS]), context.default_language)


def compose(comment: Comment, context: ReplyContext) -> Composed:
    """The template reply to `comment`, and the numbers it may contain."""
    # Real comments are short; reading only the start bounds the cost of a
    # pathological one (Instagram allows 2,200 characters).
    normalised = normalise(comment.text[:MAX_READ_CHARS])
    parameters = parse_parameters(rewrite_grammar(normalised))
    constraints = read_constraints(normalised)
    own = bool(context.account_username) and (
        comment.username.strip().lstrip("@").lower() == (context.account_username or "").lstrip("@").lower()
    )
    balls = len(parameters.balls)
    classified = classify(
        normalised,
        has_ticket_numbers=balls >= 6,
        is_own=own,
        ball_count=balls,
        bare_count=len(parameters.mentioned),
        use_model=context.use_classifier,
        has_parameters=bool(
            constraints.rules
            or parameters.exclude
            or parameters.size
            or parameters.lines
            or parameters.strategy
            or parameters.invalid
        ),
    )
    # Only a comment with words to read ("🙏🙏" is a request for numbers, nothing to ask about).
    if classified.fallback and context.reader is not None and CJK_OR_WORD.search(normalised):
        classified, parameters = _read(comment, context, classified, parameters)
    language = _language(comment, context)
    if classified.intent == "ignore":
        request = request_json(parameters, classified.intent)
        reply = Reply("ignore", language, request, [], None, "none", classified.reason)
        return Composed(reply, frozenset())
    seed = seed_for(context.secret, context.next_draw.key, comment.comment_id)
    wording = WORDINGS[language]
    username = comment.username.strip().lstrip("@")
    # A username such as "win.ly" reads as a link; a reply never posts one, so it goes unmentioned.
    mention = f"@{username}" if username and not has_link(username) else ""
    dropped: list[str] = []
    asked_exclude = sorted(parameters.exclude)
    if classified.intent == "pick":
        parameters, dropped = apply_constraints(parameters, constraints, normalised)
    answer: Answer
    if classified.topic in TOPICS:
        answer = _topic(
            classified.topic,
            normalised=normalised,
            parameters=parameters,
            context=context,
            seed=seed,
            mention=mention,
            language=language,
        )
    else:
        answer = _question(
            classified.topic,
            normalised=normalised,
            parameters=parameters,
            context=context,
            seed=seed,
            mention=mention,
            language=language,
        ) or answer_for(
            classified.intent,
            normalised,
            parameters,
            context,
            wording=wording,
            rng=seed.rng(),
            mention=mention,
            choose=seed.choice,
        )
    if constraints.rules and answer.tickets:
        # The request shows the excludes as written, and the constraints apart.
        answer.request["exclude"] = asked_exclude
        answer.request["constraints"] = [name for name, _ in constraints.rules if name not in dropped]
    if dropped and answer.tickets:
        answer = _with_note(answer, dropped, language)
    note = CLOSED_NOTES.get(classified.intent)
    if note is not None and classified.topic != "draw_today" and answer.parts:
        answer = _with_closed_note(answer, note, context, seed, language)
    parts = answer.parts
    if language == "en":
        parts = [replace(part, text=_singular(part.text)) for part in parts]
    fitted = fit(parts, wording.footer, context.max_chars)
    tickets = list(answer.tickets[: fitted.tickets_shown]) if answer.tickets else []
    reply = Reply(
        intent=classified.intent,
        language=language,
        request=answer.request,
        tickets=tickets,
        text=fitted.text,
        path="template",
        reason=None,
        max_chars=context.max_chars,
        topic=classified.topic or classified.intent,
    )
    allowed = set(answer.allowed) | set(numbers_in(wording.footer))
    return Composed(reply, frozenset(allowed))


def _topic(
    topic: str,
    *,
    normalised: str,
    parameters: Parameters,
    context: ReplyContext,
    seed: Seed,
    mention: str,
    language: str,
) -> Answer:
    wording = WORDINGS[language]
    ask = Ask(normalised, parameters, context, wording, seed.rng(), mention, "", seed.choice, Facts())
    answer = topic_answer(topic, ask, language)
    if topic != "guarantee" or not context.guarantee_fun_pick:
        return answer
    # The plain no comes first; a fun pick follows only where the account allows it.
    fun = answer_for(
        "pick",
        normalised,
        parameters,
        context,
        wording=wording,
        rng=seed.rng(),
        mention="",
        choose=seed.choice,
    )
    return Answer([*answer.parts, *fun.parts], fun.tickets, fun.request, answer.allowed | fun.allowed)


def _question(
    topic: str,
    *,
    normalised: str,
    parameters: Parameters,
    context: ReplyContext,
    seed: Seed,
    mention: str,
    language: str,
) -> Answer | None:
    """The answer to a finer question (a tier, a window, a number's gap...), or None for the intent's own."""
    named = NAMED_QUESTIONS.get(topic)
    answer = named or QUESTION_ANSWERS.get(topic)
    # A tier, window or extra question that names balls is about those balls: the intent's own answer.
    if answer is None or (named is None and parameters.balls):
        return None
    ask = Ask(
        normalised, parameters, context, WORDINGS[language], seed.rng(), mention, "", seed.choice, Facts()
    )
    return answer(ask)


def _read(
    comment: Comment, context: ReplyContext, classified: Classified, parameters: Parameters
) -> tuple[Classified, Parameters]:
    """The reader's intent and topic for a comment the rules found unclear, if it gives a usable one."""
    reader = context.reader
    reading = reader(comment.text[:MAX_READ_CHARS]) if reader is not None else None
    if reading is None or not _acceptable(reading):
        return classified, parameters
    found = Classified(reading.intent, topic=reading.topic)
    if parameters.balls or parameters.exclude or parameters.lines:
        return found, parameters  # the rules' own numbers stay exact
    return found, replace(parameters, include=reading.include, exclude=reading.exclude, lines=reading.lines)


def _acceptable(reading: Reading) -> bool:
    if reading.intent not in READER_INTENTS:
        return False
    topic_intent = TOPIC_INTENT.get(reading.topic, reading.topic if reading.topic in INTENTS else None)
    return topic_intent == reading.intent


def _with_closed_note(answer: Answer, note: str, context: ReplyContext, seed: Seed, language: str) -> Answer:
    """Between sales close and the result: say today's draw has closed, after the reply's first line."""
    facts = Facts()
    ask = Ask("", Parameters(), context, WORDINGS[language], seed.rng(), "", "", seed.choice, facts)
    part = closed_part(ask, note)
    if part is None:
        return answer
    parts = [answer.parts[0], part, *answer.parts[1:]]
    return Answer(parts, answer.tickets, answer.request, answer.allowed | facts.allowed)


def _singular(text: str) -> str:
    return ENGLISH_ONE.sub(lambda match: f"1 {match.group(1)}{'y' if match.group(2) == 'ies' else ''}", text)


def _with_note(answer: Answer, dropped: list[str], language: str) -> Answer:
    """Say which constraint the pick could not honour, after the tickets."""
    names = CONSTRAINT_NAMES[language]
    separator = ", " if language == "en" else "、"
    note = Part(CANNOT_HONOUR[language].format(names=separator.join(names[name] for name in dropped)))
    last_ticket = max(index for index, part in enumerate(answer.parts) if part.ticket)
    parts = [*answer.parts[: last_ticket + 1], note, *answer.parts[last_ticket + 1 :]]
    return Answer(parts, answer.tickets, answer.request, answer.allowed)


def respond(comment: Comment, context: ReplyContext) -> Reply:
    """The reply to one comment on the template path: pure and fast."""
    return compose(comment, context).reply
