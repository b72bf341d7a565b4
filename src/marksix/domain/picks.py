"""Picks: combinations for the next draw, by strategy, honouring the request.

Every strategy is a weighting of the 49 numbers (or, for `balanced`, a shape
filter); none changes the chance of winning, and every note says so. The
randomness comes in as a `random.Random`: `random.SystemRandom()` (the OS's
secure source) by default, or `random.Random(seed)` for output that is the
same on every run and machine.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import comb
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL, DrawHistory, last_seen_index
from marksix.errors import PickError

if TYPE_CHECKING:
    from marksix.domain.popularity import PopularityModel

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

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The weight formulas work on one row (50,) or on many rows (T, 50) alike, so
# the backtest applies exactly the weights that `pick` uses, for every draw
# at once. Column 0 stands for no number and always weighs 0.


def hot_weights(window_counts: IntArray) -> FloatArray:
    """More weight to numbers drawn more often in the window."""
    weights = window_counts.astype(np.float64) + 0.5
    weights[..., 0] = 0.0
    return weights


def cold_weights(window_counts: IntArray) -> FloatArray:
    """More weight to numbers drawn less often in the window."""
    most = window_counts[..., 1:].max(axis=-1, keepdims=True)
    weights: FloatArray = (most - window_counts).astype(np.float64) + 0.5
    weights[..., 0] = 0.0
    return weights


def overdue_weights(last_seen: IntArray, total: int | IntArray) -> FloatArray:
    """Weight = draws since last seen + 1; `last_seen` is -1 for never seen,
    which makes a number never drawn the most overdue of all."""
    weights: FloatArray = (np.asarray(total)[..., None] - last_seen).astype(np.float64)
    weights[..., 0] = 0.0
    return weights


def _uniform(_: DrawHistory | None) -> tuple[list[float], str]:
    return [0.0] + [1.0] * POOL, "Drawn uniformly at random from the numbers allowed."


def _needs(history: DrawHistory | None, strategy: str) -> DrawHistory:
    if history is None or len(history) == 0:
        raise PickError(f"the {strategy} strategy needs the draw history, and it is empty")
    return history


def _window_counts(history: DrawHistory) -> IntArray:
    counts: IntArray = history.last(HOT_COLD_WINDOW).hits.sum(axis=0, dtype=np.int64)
    return counts


def _heaviest(weights: FloatArray, count: int = 3) -> str:
    # Stable sort so ties list the lower number first, the same everywhere.
    order = np.argsort(-weights[1:], kind="stable")[:count] + 1
    return ", ".join(str(int(number)) for number in order)


def _hot(history: DrawHistory | None) -> tuple[list[float], str]:
    known = _needs(history, "hot")
    weights = hot_weights(_window_counts(known))
    window = min(HOT_COLD_WINDOW, len(known))
    return weights.tolist(), (
        f"Numbers drawn more often in the last {window} draws (most: {_heaviest(weights)}) were weighted up."
    )


def _cold(history: DrawHistory | None) -> tuple[list[float], str]:
    known = _needs(history, "cold")
    weights = cold_weights(_window_counts(known))
    window = min(HOT_COLD_WINDOW, len(known))
    return weights.tolist(), (
        f"Numbers drawn less often in the last {window} draws (least: {_heaviest(weights)}) were weighted up."
    )


def _overdue(history: DrawHistory | None) -> tuple[list[float], str]:
    known = _needs(history, "overdue")
    weights = overdue_weights(last_seen_index(known.hits), len(known))
    return weights.tolist(), (
        f"Numbers that have gone longest without being drawn (longest: {_heaviest(weights)}) "
        "were weighted up."
    )


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
        # The class `secrets` uses (os.urandom), without importing secrets.
        return random.SystemRandom()
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


def pick(
    request: PickRequest,
    history: DrawHistory | None,
    rng: random.Random,
    *,
    popularity: PopularityModel | None = None,
) -> PickResult:
    """Draw `request.lines` distinct tickets under the request's strategy;
    "unpopular" needs the `popularity` model."""
    validate(request)
    if request.strategy in LAZY_STRATEGIES:
        from importlib import import_module

        module_name = LAZY_STRATEGIES[request.strategy]
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            raise PickError(
                f"the {request.strategy} strategy is not available in this installation"
            ) from None
        strategy: Callable[[PickRequest, DrawHistory | None, random.Random, Any], PickResult]
        strategy = getattr(module, f"pick_{request.strategy}")
        return strategy(request, history, rng, popularity)
    weights, how = WEIGHTINGS[request.strategy](history)
    forced = sorted(set(request.include) | set(request.bankers))
    banned = set(request.exclude) | set(forced)
    candidates = [number for number in range(1, POOL + 1) if number not in banned]
    needed = request.size - len(forced)
    tickets: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    unbalanced = 0
    attempts = 0
    while len(tickets) < request.lines:
        attempts += 1
        chosen = tuple(sorted(forced + _weighted_sample(rng, candidates, weights, needed)))
        if chosen in seen:
            if attempts > 1000 * request.lines:
                raise PickError("could not find enough distinct combinations; ask for fewer lines")
            continue
        if request.strategy == "balanced" and not is_balanced(chosen):
            # Includes and exclusions can rule every balanced shape out; after
            # enough tries take the line anyway and say so in the note.
            if attempts < 200 * request.lines:
                continue
            unbalanced += 1
        seen.add(chosen)
        tickets.append(chosen)
    if unbalanced:
        how += (
            f" The constraints left no balanced shape for {unbalanced} of the "
            f"{request.lines} line{'s' if request.lines > 1 else ''}, so those are plain random."
        )
    note = f"{how} {HONEST_CAVEAT}"
    return PickResult(
        strategy=request.strategy,
        tickets=tuple(tickets),
        note=note,
        bankers=tuple(sorted(set(request.bankers))),
    )
