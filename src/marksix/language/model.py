"""The language layer's contract: a comment in, a reply out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marksix.domain.calendar import NextDraw
from marksix.domain.draws import DrawHistory
from marksix.domain.prizes import DrawPrizes

if TYPE_CHECKING:
    from marksix.domain.popularity import PopularityModel


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    username: str
    comment_id: str


@dataclass(frozen=True, slots=True)
class Reading:
    """What an outside reader (an LLM, see marksix.llm.reading) made of a comment the rules found unclear.

    Only these fields, already validated by the reader's firewall: an intent
    and topic from the fixed lists, and numbers that the comment itself contains.
    """

    intent: str
    topic: str
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    lines: int | None = None


#: Reads a comment's text; None when it cannot help (no answer, an invalid one, an error).
Reader = Callable[[str], Reading | None]


@dataclass(frozen=True, slots=True)
class ReplyContext:
    history: DrawHistory
    prizes: Mapping[str, DrawPrizes]
    next_draw: NextDraw
    #: The account's reply secret: seeds each commenter's own combination.
    secret: str = field(repr=False)
    max_chars: int = 300
    language: str = "auto"  # auto | zh-HK | zh-CN | en
    account_username: str | None = None  # comments by this user are `ignore`
    #: The answer language for comments with no words at all (🙏🙏, "8 18").
    default_language: str = "zh-HK"
    #: The player-popularity model for the "unpopular" style; without it that
    #: style falls back to random. Loaded at the edge (draws/popularity_model.py).
    popularity: PopularityModel | None = None
    #: Whether a guarantee ask ("必中?") gets a fun pick after the plain no.
    guarantee_fun_pick: bool = False
    #: Whether the shipped intent classifier advises where the rules fall back (off: rules alone).
    use_classifier: bool = True
    #: The moment of the reply (aware), from the caller's clock: "has today's draw happened",
    #: and "today's draw has closed" between 21:15 and the result. None: not known, not said.
    now: dt.datetime | None = None
    #: An optional reader for comments the rules and the classifier find unclear (an LLM,
    #: injected by the caller; the I/O stays outside the language layer).
    reader: Reader | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Reply:
    intent: str
    language: str
    request: dict[str, Any]
    tickets: list[tuple[int, ...]]
    text: str | None  # None when intent == "ignore"
    path: str  # "template" | "llm" | "none"
    reason: str | None = None  # why ignored, or why the LLM text was rejected
    #: The limit the text was fitted to, so a rewording is held to the same one.
    max_chars: int | None = None
    #: The finer topic under `intent` ("crisis", "minor", "thanks", "tier_odds", ...).
    topic: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "topic": self.topic,
            "language": self.language,
            "request": self.request,
            "tickets": [list(ticket) for ticket in self.tickets],
            "reply": self.text,
            "path": self.path,
            "reason": self.reason,
        }
