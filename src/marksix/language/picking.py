"""Turning what a commenter asked for into a pick the engine can honour.

A comment is not a form: it may ask for 20 lines, a 30-number multiple, the
same number in and out, or a strategy that does not exist yet. The plan keeps
what is reasonable for a public reply, and records what it changed so the
reply can say so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

from marksix.domain.draws import PICKED, POOL, DrawHistory
from marksix.domain.picks import MAX_BANKERS, STRATEGIES, PickRequest, PickResult, pick, validate
from marksix.language.parameters import Parameters

if TYPE_CHECKING:
    from marksix.domain.popularity import PopularityModel

#: A reply shows at most this many lines, each of at most this many numbers.
MAX_REPLY_LINES = 5
MAX_REPLY_SIZE = 10


@dataclass(frozen=True, slots=True)
class PlannedPick:
    request: PickRequest
    asked_strategy: str
    clashes: tuple[int, ...] = ()
    capped: bool = False
    forced_dropped: bool = False
    strategy_unavailable: bool = False
    max_lines: int = MAX_REPLY_LINES
    max_size: int = MAX_REPLY_SIZE


@cache
def strategy_available(name: str) -> bool:
    """Whether a strategy can run here: lazy ones need their module to exist."""
    if name == "unpopular":
        return find_spec("marksix.domain.unpopular") is not None
    return name in STRATEGIES


def plan_pick(parameters: Parameters) -> PlannedPick:
    """A PickRequest within what a reply can show, and what had to change."""
    bankers = list(parameters.bankers[:MAX_BANKERS])
    include = [n for n in (*parameters.bankers[MAX_BANKERS:], *parameters.include, *parameters.mentioned)]
    include = [n for n in dict.fromkeys(include) if n not in bankers]
    forced = set(include) | set(bankers)
    clashes = tuple(sorted(forced & set(parameters.exclude)))
    exclude = [n for n in parameters.exclude if n not in forced]
    asked_size = parameters.size if parameters.size is not None else PICKED
    size = min(max(asked_size, PICKED), MAX_REPLY_SIZE)
    capped = size != asked_size and asked_size > MAX_REPLY_SIZE
    if bankers:
        size = max(size, PICKED + 1)
    forced_dropped = False
    if len(forced) > size:
        if len(forced) <= MAX_REPLY_SIZE:
            size = len(forced)
        else:
            keep = MAX_REPLY_SIZE - len(bankers)
            include = include[:keep]
            size = MAX_REPLY_SIZE
            forced_dropped = True
    # Leave enough numbers to choose from.
    exclude = exclude[: POOL - size - 1]
    asked_lines = parameters.lines if parameters.lines is not None else 1
    lines = min(max(asked_lines, 1), MAX_REPLY_LINES)
    capped = capped or asked_lines > MAX_REPLY_LINES
    asked_strategy = parameters.strategy or "random"
    strategy = asked_strategy if strategy_available(asked_strategy) else "random"
    request = PickRequest(
        strategy=strategy,
        include=tuple(include),
        exclude=tuple(exclude),
        size=size,
        bankers=tuple(bankers),
        lines=lines,
    )
    return PlannedPick(
        request=request,
        asked_strategy=asked_strategy,
        clashes=clashes,
        capped=capped,
        forced_dropped=forced_dropped,
        strategy_unavailable=strategy != asked_strategy,
    )


def _attempt(
    request: PickRequest, history: DrawHistory, rng: random.Random, popularity: PopularityModel | None
) -> PickResult | None:
    try:
        validate(request)
        return pick(request, history, rng, popularity=popularity)
    except Exception:
        # PickError means the request is too narrow; anything else is a strategy
        # failing (missing model data, a bug). Neither may cost the commenter a reply.
        return None


def run_pick(
    plan: PlannedPick,
    history: DrawHistory,
    rng: random.Random,
    popularity: PopularityModel | None = None,
) -> tuple[PickResult, bool]:
    """The tickets, and whether the request had to be relaxed to find them."""
    request = plan.request
    result = _attempt(request, history, rng, popularity)
    if result is not None:
        return result, False
    # Keep the forced numbers, drop the exclusions and the strategy.
    relaxed = PickRequest(
        strategy="random",
        include=request.include,
        size=request.size,
        bankers=request.bankers,
        lines=request.lines,
    )
    result = _attempt(relaxed, history, rng, None)
    if result is not None:
        return result, True
    return pick(PickRequest(lines=request.lines), history, rng), True
