"""Fitting a reply into the character limit without ever cutting a number.

A reply is a list of parts. Optional parts go first (the extra statistics
line, then the main one), then long wording is swapped for short wording,
then surplus tickets are dropped (the reply then says how many it shows).
Only if all of that is not enough is the body cut, at a space, never inside a
number. The footer (18+ and the help line) always stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: Larger drop rank = dropped earlier: the second statistics line, then the
#: strategy label, then the main statistics line and the cost.
OPTIONAL_EXTRA = 3
OPTIONAL_LABEL = 2
OPTIONAL_MAIN = 1
SAFE_CUT = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    drop_rank: int = 0  # 0: required
    short: str | None = None  # shorter wording to use when space is tight
    ticket: bool = False


@dataclass(frozen=True, slots=True)
class Fitted:
    text: str
    tickets_shown: int


def _join(parts: list[Part], footer: str) -> str:
    return "\n".join([*(part.text for part in parts if part.text), footer])


def fit(parts: list[Part], footer: str, max_chars: int) -> Fitted:
    """The longest faithful reply of `parts` and `footer` within `max_chars`."""
    current = list(parts)
    tickets = sum(part.ticket for part in current)
    if len(_join(current, footer)) <= max_chars:
        return Fitted(_join(current, footer), tickets)
    for rank in sorted({part.drop_rank for part in current if part.drop_rank}, reverse=True):
        current = [part for part in current if part.drop_rank != rank]
        if len(_join(current, footer)) <= max_chars:
            return Fitted(_join(current, footer), tickets)
    for index, part in enumerate(current):
        if part.short is not None:
            current[index] = replace(part, text=part.short, short=None)
            if len(_join(current, footer)) <= max_chars:
                return Fitted(_join(current, footer), tickets)
    while tickets > 1 and len(_join(current, footer)) > max_chars:
        last = max(index for index, part in enumerate(current) if part.ticket)
        del current[last]
        tickets -= 1
    text = _join(current, footer)
    if len(text) <= max_chars:
        return Fitted(text, tickets)
    # Last resort: keep the head and the tickets, then cut at a space.
    current = [part for index, part in enumerate(current) if index == 0 or part.ticket]
    text = _join(current, footer)
    if len(text) <= max_chars:
        return Fitted(text, tickets)
    body = "\n".join(part.text for part in current if part.text)
    room = max_chars - len(footer) - 2  # a newline and an ellipsis
    cut = body[: max(room, 0) + 1]
    spaces = [match.start() for match in SAFE_CUT.finditer(cut)]
    cut = cut[: spaces[-1]].rstrip() if spaces else ""
    whole_tickets = sum(part.ticket and part.text in cut for part in current)
    return Fitted((cut + "…\n" + footer) if cut else footer, whole_tickets)
