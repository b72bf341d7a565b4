"""Picks: combinations for the next draw, by strategy, honouring the request.

Every strategy is a weighting of the 49 numbers (or, for `balanced`, a shape
filter); none changes the chance of winning, and every note says so. The
randomness comes in as a `random.Random`: `secrets.SystemRandom()` (the OS's
secure source) by default, or `random.Random(seed)` for output that is the
same on every run and machine.
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import comb
from typing import Any

from marksix.domain.draws import PICKED, POOL, DrawHistory
from marksix.errors import PickError

HONEST_CAVEAT = "It does not change your chance of winning: every combination has the same odds."
MAX_LINES = 100
MAX_BANKERS = 5
#: Draws that "hot" and "cold" look back over.
HOT_COLD_WINDOW = 100


@dataclass(frozen=True, slots=True)
class PickRequest:
    strategy: str = "random"
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    size: int = PICKED
    bankers: tuple[int, ...] = ()
    lines: int = 1


@dataclass(frozen=True, slots=True)
class PickResult:
    strategy: str
    tickets: tuple[tuple[int, ...], ...]
    note: str
    bankers: tuple[int, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "strategy": self.strategy,
            "tickets": [list(ticket) for ticket in self.tickets],
            "note": self.note,
        }
        if self.bankers:
            payload["bankers"] = list(self.bankers)
        payload.update(self.details)
        return payload


#: A strategy returns a weight per number 1..49 (index 0 unused) and a note.
Weighting = Callable[[DrawHistory | None], tuple[list[float], str]]


def _uniform(_: DrawHistory | None) -> tuple[list[float], str]:
    return [0.0] + [1.0] * POOL, "Drawn uniformly at random from the numbers allowed."


def _window_counts(history: DrawHistory | None) -> list[int]:
    if history is None or len(history) == 0:
        raise PickError("this strategy needs the draw history, and it is empty")
    counts = history.last(HOT_COLD_WINDOW).hits.sum(axis=0)
    return [int(count) for count in counts]


def _hot(history: DrawHistory | None) -> tuple[list[float], str]:
    counts = _window_counts(history)
    weights = [0.0] + [count + 0.5 for count in counts[1:]]
    return weights, (f"Numbers drawn more often in the last {HOT_COLD_WINDOW} draws were weighted up.")


def _cold(history: DrawHistory | None) -> tuple[list[float], str]:
    counts = _window_counts(history)
    most = max(counts[1:])
    weights = [0.0] + [most - count + 0.5 for count in counts[1:]]
    return weights, (f"Numbers drawn less often in the last {HOT_COLD_WINDOW} draws were weighted up.")


def _overdue(history: DrawHistory | None) -> tuple[list[float], str]:
    if history is None or len(history) == 0:
        raise PickError("the overdue strategy needs the draw history, and it is empty")
    hits = history.hits
    total = len(history)
    weights = [0.0]
    for number in range(1, POOL + 1):
        seen = hits[:, number].nonzero()[0]
        weights.append(float(total - 1 - seen[-1]) + 1.0 if len(seen) else float(total) + 1.0)
    return weights, "Numbers that have gone longest without being drawn were weighted up."


def _balanced(_: DrawHistory | None) -> tuple[list[float], str]:
    return [0.0] + [1.0] * POOL, (
        "Drawn at random, keeping only well-spread shapes: odd/even and low/high near half, "
        "a middling sum, no long runs."
    )


WEIGHTINGS: dict[str, Weighting] = {
    "random": _uniform,
    "hot": _hot,
    "cold": _cold,
    "overdue": _overdue,
    "balanced": _balanced,
}
#: Strategies that live in other modules, imported only when asked for.
LAZY_STRATEGIES: dict[str, str] = {"unpopular": "marksix.domain.unpopular"}
STRATEGIES: tuple[str, ...] = (*WEIGHTINGS, *LAZY_STRATEGIES)


def make_random(seed: int | str | None) -> random.Random:
    """The OS's secure source, or a seeded, portable generator."""
    if seed is None:
        return secrets.SystemRandom()
    return random.Random(str(seed))


def validate(request: PickRequest) -> None:
    """Raise PickError naming why the request cannot be honoured."""
    if request.strategy not in STRATEGIES:
        raise PickError(f"unknown strategy {request.strategy!r}; choose one of {', '.join(STRATEGIES)}")
    for label, values in (
        ("include", request.include),
        ("exclude", request.exclude),
        ("banker", request.bankers),
    ):
        outside = sorted({v for v in values if not 1 <= v <= POOL})
        if outside:
            raise PickError(
                f"{label} number{'s' if len(outside) > 1 else ''} "
                f"{', '.join(map(str, outside))} out of range 1-{POOL}"
            )
    if not PICKED <= request.size <= POOL:
        raise PickError(f"size {request.size} is not possible: a ticket has {PICKED} to {POOL} numbers")
    if not 1 <= request.lines <= MAX_LINES:
        raise PickError(f"lines must be between 1 and {MAX_LINES}, not {request.lines}")
    forced = set(request.include) | set(request.bankers)
    clash = sorted(forced & set(request.exclude))
    if clash:
        raise PickError(f"{', '.join(map(str, clash))} cannot be both included and excluded")
    if len(request.bankers) > MAX_BANKERS:
        raise PickError(f"too many bankers: {len(request.bankers)}, at most {MAX_BANKERS}")
    if request.bankers and request.size < PICKED + 1:
        raise PickError(
            f"a banker entry needs at least {PICKED + 1} numbers in all; use --size {PICKED + 1} or more"
        )
    if len(forced) > request.size:
        raise PickError(f"{len(forced)} numbers must be included but the size is only {request.size}")
    available = POOL - len(set(request.exclude))
    if available < request.size:
        raise PickError(f"only {available} numbers remain after the exclusions, too few for {request.size}")
    possible = comb(available - len(forced), request.size - len(forced))
    if possible < request.lines:
        raise PickError(
            f"only {possible} distinct combination{'s' if possible != 1 else ''} "
            f"fit these constraints, fewer than the {request.lines} lines asked for"
        )


def is_balanced(numbers: Sequence[int]) -> bool:
    """A spread-out shape: the kind of line people call "balanced"."""
    size = len(numbers)
    odd = sum(number % 2 for number in numbers)
    low = sum(number <= 24 for number in numbers)
    ordered = sorted(numbers)
    longest = run = 1
    for before, after in itertools.pairwise(ordered):
        run = run + 1 if after == before + 1 else 1
        longest = max(longest, run)
    mean = sum(numbers) / size
    return abs(odd - size / 2) <= 1 and abs(low - size / 2) <= 1 and longest <= 2 and 18 <= mean <= 32


def _weighted_sample(rng: random.Random, candidates: list[int], weights: list[float], k: int) -> list[int]:
    # Efraimidis-Spirakis: key u**(1/w), keep the k largest. Exact weighted
    # sampling without replacement, and deterministic for a seeded rng.
    keyed = sorted(
        ((rng.random() ** (1.0 / weights[number]), number) for number in candidates),
        reverse=True,
    )
    return [number for _, number in keyed[:k]]


def pick(request: PickRequest, history: DrawHistory | None, rng: random.Random) -> PickResult:
    """Draw `request.lines` distinct tickets under the request's strategy."""
    validate(request)
    if request.strategy in LAZY_STRATEGIES:
        from importlib import import_module

        strategy: Callable[[PickRequest, DrawHistory | None, random.Random], PickResult]
        strategy = import_module(LAZY_STRATEGIES[request.strategy]).pick_unpopular
        return strategy(request, history, rng)
    weights, how = WEIGHTINGS[request.strategy](history)
    forced = sorted(set(request.include) | set(request.bankers))
    banned = set(request.exclude) | set(forced)
    candidates = [number for number in range(1, POOL + 1) if number not in banned]
    needed = request.size - len(forced)
    tickets: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    attempts = 0
    while len(tickets) < request.lines:
        attempts += 1
        chosen = tuple(sorted(forced + _weighted_sample(rng, candidates, weights, needed)))
        if request.strategy == "balanced" and attempts < 200 * request.lines and not is_balanced(chosen):
            continue
        if chosen in seen:
            if attempts > 1000 * request.lines:
                raise PickError("could not find enough distinct combinations; ask for fewer lines")
            continue
        seen.add(chosen)
        tickets.append(chosen)
    note = f"{how} {HONEST_CAVEAT}"
    return PickResult(
        strategy=request.strategy, tickets=tuple(tickets), note=note, bankers=tuple(sorted(request.bankers))
    )
