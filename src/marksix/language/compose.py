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
from dataclasses import dataclass

from marksix.language.answers import Answer, Ask, Facts, answer_for, request_json
from marksix.language.constraints import (
    CANNOT_HONOUR,
    CONSTRAINT_NAMES,
    apply_constraints,
    read_constraints,
    rewrite_grammar,
)
from marksix.language.detect import LANGUAGES, detect_language
from marksix.language.fitting import Part, fit
from marksix.language.intents import classify
from marksix.language.model import Comment, Reply, ReplyContext
from marksix.language.numerals import normalise
from marksix.language.parameters import Parameters, parse_parameters
from marksix.language.questions import QUESTION_ANSWERS
from marksix.language.safety import has_link, numbers_in
from marksix.language.templates import WORDINGS
from marksix.language.topic_replies import TOPICS, topic_answer

MAX_READ_CHARS = 600


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
    return detect_language(comment.text[:MAX_READ_CHARS], context.default_language)


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
    fitted = fit(answer.parts, wording.footer, context.max_chars)
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
    """The answer to a finer question (one tier, a window, the extra), or None for the intent's own."""
    answer = QUESTION_ANSWERS.get(topic)
    if answer is None or parameters.balls:
        return None
    ask = Ask(
        normalised, parameters, context, WORDINGS[language], seed.rng(), mention, "", seed.choice, Facts()
    )
    return answer(ask)


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
