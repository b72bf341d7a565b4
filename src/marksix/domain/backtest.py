"""Walk-forward backtest of the pick strategies against pure chance.

For every draw t the strategy picks one six-number line from the draws
before t only (no look-ahead), and the line is scored against draw t.

The picks for all draws come at once: cumulative hit counts give every
prefix's window counts and last-seen positions, the weights are the very
formulas `pick` uses, and the weighted sampling without replacement is
Efraimidis-Spirakis with exponential keys (the six smallest of E/w). The
random keys for draw t come from row t of a generator seeded by (seed,
strategy), so a pick depends on nothing but the seed, t and the draws
before t.

Under a fair draw, any line chosen before the draw matches a hypergeometric
number of balls: mean 36/49 exactly, whatever the strategy. Each strategy's
mean is tested against that with a z-test (exact mean and variance, normal
approximation, fine for hundreds of draws), and the p-values are adjusted
for the several strategies tested at once (Holm).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from fractions import Fraction
from math import comb, erfc, sqrt
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL, DrawHistory, latest_rows
from marksix.domain.picks import (
    HOT_COLD_WINDOW,
    WEIGHTINGS,
    cold_weights,
    hot_weights,
    overdue_weights,
)
from marksix.domain.rules import TIERS, tier_for_match
from marksix.errors import InputError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The first 6/49 draw's date: the default seed, so results are reproducible.
DEFAULT_SEED = 20020704
#: Strategies that can be replayed draw by draw. "unpopular" scores all
#: 13,983,816 combinations per pick and aims at prize shares, not matches.
BACKTEST_STRATEGIES: tuple[str, ...] = tuple(WEIGHTINGS)
#: Every strategy starts once it has its full hot/cold window behind it.
WARMUP = HOT_COLD_WINDOW
#: Candidate lines per draw for "balanced": about 58% of random lines are
#: balanced, so 4 tries settle 97% of draws, and 16 more for the rest all
#: fail about once in a million draws.
BALANCED_FIRST_TRIES = 4
BALANCED_TRIES = 16
CONFIDENCE = 0.95
Z_95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)

#: Chance of matching exactly k drawn numbers with a line chosen in advance.
MATCH_PROBABILITY = tuple(
    Fraction(comb(PICKED, k) * comb(POOL - PICKED, PICKED - k), comb(POOL, PICKED)) for k in range(PICKED + 1)
)
EXPECTED_MATCHES = sum((k * p for k, p in enumerate(MATCH_PROBABILITY)), Fraction(0))
MATCH_VARIANCE = sum((k * k * p for k, p in enumerate(MATCH_PROBABILITY)), Fraction(0)) - EXPECTED_MATCHES**2


@dataclass(frozen=True, slots=True)
class StrategyResult:
    strategy: str
    draws: int
    match_counts: tuple[int, ...]  # draws with 0..6 numbers matched
    tier_hits: dict[int, int]
    mean_matches: float
    interval: tuple[float, float]  # 95% CI of this strategy's mean
    z: float
    p_value: float
    p_adjusted: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "draws": self.draws,
            "mean_matches": round(self.mean_matches, 5),
            "ci95": [round(self.interval[0], 5), round(self.interval[1], 5)],
            "z": round(self.z, 4),
            "p_value": round(self.p_value, 6),
            "p_value_holm": round(self.p_adjusted, 6),
            "match_counts": {str(k): count for k, count in enumerate(self.match_counts)},
            "tiers": {
                str(tier.number): {
                    "observed": self.tier_hits.get(tier.number, 0),
                    "expected": round(float(self.draws * tier.probability), 4),
                }
                for tier in TIERS
            },
        }


@dataclass(frozen=True, slots=True)
class Backtest:
    seed: int
    draws: int
    first_draw: str
    last_draw: str
    results: tuple[StrategyResult, ...]

    @property
    def chance_interval(self) -> tuple[float, float]:
        """Where 95% of mean-match figures land for lines picked at random."""
        spread = Z_95 * sqrt(float(MATCH_VARIANCE) / self.draws)
        return float(EXPECTED_MATCHES) - spread, float(EXPECTED_MATCHES) + spread

    @property
    def any_differs(self) -> bool:
        return any(result.p_adjusted < 1 - CONFIDENCE for result in self.results)

    def verdict(self) -> str:
        smallest = min(self.results, key=lambda result: result.p_value)
        tested = len(self.results)
        adjusted = (
            f", {smallest.p_adjusted:.3f} after adjusting for {tested} strategies (Holm)"
            if tested > 1
            else ""
        )
        if self.any_differs:
            return (
                f"{smallest.strategy} differs from chance at the 5% level (p = {smallest.p_value:.3f}"
                f"{adjusted}). A fluke is still possible, and a past edge does not carry over to "
                "future draws: the draw does not know what was picked."
            )
        return (
            f"No strategy differs from chance: the smallest p-value is {smallest.p_value:.3f} "
            f"({smallest.strategy}){adjusted}. Picking by past draws does not change how many "
            "numbers you match."
        )

    def to_json(self) -> dict[str, Any]:
        low, high = self.chance_interval
        return {
            "seed": self.seed,
            "draws": self.draws,
            "first_draw": self.first_draw,
            "last_draw": self.last_draw,
            "expected_mean_matches": f"{EXPECTED_MATCHES.numerator}/{EXPECTED_MATCHES.denominator}",
            "expected_mean_matches_decimal": round(float(EXPECTED_MATCHES), 6),
            "chance_interval": [round(low, 5), round(high, 5)],
            "strategies": [result.to_json() for result in self.results],
            "any_differs_from_chance": self.any_differs,
            "verdict": self.verdict(),
        }


def strategy_generator(seed: int, strategy: str) -> np.random.Generator:
    """The same stream for (seed, strategy) on every machine."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(strategy.encode())]))


def walk_forward_picks(history: DrawHistory, strategy: str, seed: int = DEFAULT_SEED) -> IntArray:
    """Row t: the sorted line `strategy` picks for draw t from draws 0..t-1.

    Rows before WARMUP are picked too but are not meant to be scored: hot
    and cold would see less than their full window there.
    """
    if strategy not in BACKTEST_STRATEGIES:
        raise InputError(f"cannot backtest {strategy!r}; choose one of {', '.join(BACKTEST_STRATEGIES)}")
    count = len(history)
    generator = strategy_generator(seed, strategy)
    if strategy == "balanced":
        return _balanced_picks(generator, count, seed)
    weights = _weights_before_each_draw(history, strategy)
    keys = generator.standard_exponential((count, POOL)) / weights[:, 1:]
    return _smallest_six(keys)


def _weights_before_each_draw(history: DrawHistory, strategy: str) -> FloatArray:
    count = len(history)
    if strategy in ("random", "balanced"):
        uniform = np.ones((count, POOL + 1))
        uniform[:, 0] = 0.0
        return uniform
    hits = history.hits
    rows = np.arange(count, dtype=np.int64)
    if strategy == "overdue":
        latest_so_far = latest_rows(hits)
        last_seen_before = np.vstack([np.full((1, POOL + 1), -1, dtype=np.int64), latest_so_far[:-1]])
        return overdue_weights(last_seen_before, rows)
    # cumulative[t] counts the hits in draws 0..t-1.
    cumulative = np.vstack([np.zeros((1, POOL + 1), dtype=np.int64), np.cumsum(hits, axis=0, dtype=np.int64)])
    window_counts = cumulative[rows] - cumulative[np.maximum(rows - HOT_COLD_WINDOW, 0)]
    return hot_weights(window_counts) if strategy == "hot" else cold_weights(window_counts)


def _smallest_six(keys: FloatArray) -> IntArray:
    """Per row of 49 keys, the numbers with the six smallest, ascending."""
    # Marking the keys at or below each row's sixth smallest and reading the
    # marks back in column order gives sorted numbers, about twice as fast as
    # argpartition plus sort. A tie at the threshold (continuous keys make
    # it all but impossible) takes the exact path instead.
    sixth = np.partition(keys, PICKED - 1, axis=-1)[..., PICKED - 1 : PICKED]
    marked = keys <= sixth
    if int(marked.sum()) == PICKED * marked[..., 0].size:
        columns = np.nonzero(marked.reshape(-1, POOL))[1]
        return (columns.reshape(*keys.shape[:-1], PICKED) + 1).astype(np.int64)
    chosen = np.argpartition(keys, PICKED - 1, axis=-1)[..., :PICKED] + 1
    return np.sort(chosen, axis=-1).astype(np.int64)


def _balanced_picks(generator: np.random.Generator, count: int, seed: int) -> IntArray:
    # A few candidates per draw settle almost every draw; the rest draw more
    # from a second stream, in draw order. Which draws need more depends on
    # the random streams alone, so draw t's line still depends only on the
    # seed and t, never on any draw's numbers.
    candidates = _smallest_six(generator.standard_exponential((count, BALANCED_FIRST_TRIES, POOL)))
    picked = _first_balanced(candidates)
    unsettled = np.flatnonzero(~balanced_mask(picked))
    if len(unsettled):
        retry = strategy_generator(seed, "balanced/retry")
        more = _smallest_six(retry.standard_exponential((len(unsettled), BALANCED_TRIES, POOL)))
        picked[unsettled] = _first_balanced(more)
    return picked


def _first_balanced(candidates: IntArray) -> IntArray:
    """Per row, the first balanced candidate, or the last one when none is
    (as `pick` falls back to a plain random line)."""
    ok = balanced_mask(candidates)
    tries = candidates.shape[1]
    first = np.where(ok.any(axis=1), ok.argmax(axis=1), tries - 1)
    chosen: IntArray = candidates[np.arange(len(candidates)), first]
    return chosen


def balanced_mask(lines: IntArray) -> npt.NDArray[np.bool_]:
    """`picks.is_balanced` for sorted six-number lines, over the last axis."""
    size = lines.shape[-1]
    odd = (lines % 2).sum(axis=-1)
    low = (lines <= 24).sum(axis=-1)
    step = np.diff(lines, axis=-1) == 1
    three_in_a_row = (step[..., 1:] & step[..., :-1]).any(axis=-1)
    total = lines.sum(axis=-1)
    mask: npt.NDArray[np.bool_] = (
        (np.abs(odd - size / 2) <= 1)
        & (np.abs(low - size / 2) <= 1)
        & ~three_in_a_row
        & (total >= 18 * size)
        & (total <= 32 * size)
    )
    return mask


def score(history: DrawHistory, lines: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Matched numbers and tier (0: none) of lines[i] against draw rows[i]."""
    matched = history.hits[rows[:, None], lines].sum(axis=1).astype(np.int64)
    extra_matched = (lines == history.extra[rows, None]).any(axis=1)
    table = np.zeros((PICKED + 1, 2), dtype=np.int64)
    for k in range(PICKED + 1):
        for extra in (False, True):
            table[k, int(extra)] = tier_for_match(k, extra) or 0
    tiers: IntArray = table[matched, extra_matched.astype(np.int64)]
    return matched, tiers


def run_backtest(
    history: DrawHistory,
    strategies: tuple[str, ...] = BACKTEST_STRATEGIES,
    *,
    last: int | None = None,
    seed: int = DEFAULT_SEED,
) -> Backtest:
    """Score each strategy on the last `last` draws (all after WARMUP by default)."""
    if not strategies:
        raise InputError("no strategy to backtest")
    available = len(history) - WARMUP
    if available < 1:
        raise InputError(f"the backtest needs more than {WARMUP} draws; this history has {len(history)}")
    if last is not None and last < 1:
        raise InputError(f"--last must be at least 1, not {last}")
    scored = min(last or available, available)
    rows = np.arange(len(history) - scored, len(history), dtype=np.int64)
    results = [
        _result(strategy, *score(history, walk_forward_picks(history, strategy, seed)[rows], rows))
        for strategy in strategies
    ]
    return Backtest(
        seed=seed,
        draws=scored,
        first_draw=history[int(rows[0])].draw_id,
        last_draw=history[int(rows[-1])].draw_id,
        results=_holm(results),
    )


def _result(strategy: str, matched: IntArray, tiers: IntArray) -> StrategyResult:
    draws = len(matched)
    mean = float(matched.mean())
    spread = float(matched.std(ddof=1)) if draws > 1 else 0.0
    error = Z_95 * spread / sqrt(draws)
    z = (mean - float(EXPECTED_MATCHES)) / sqrt(float(MATCH_VARIANCE) / draws)
    tier_counts = np.bincount(tiers, minlength=len(TIERS) + 1)
    return StrategyResult(
        strategy=strategy,
        draws=draws,
        match_counts=tuple(int(c) for c in np.bincount(matched, minlength=PICKED + 1)),
        tier_hits={tier.number: int(tier_counts[tier.number]) for tier in TIERS},
        mean_matches=mean,
        interval=(mean - error, mean + error),
        z=z,
        p_value=erfc(abs(z) / sqrt(2)),
    )


def _holm(results: list[StrategyResult]) -> tuple[StrategyResult, ...]:
    order = sorted(range(len(results)), key=lambda index: results[index].p_value)
    adjusted = [1.0] * len(results)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(results) - rank) * results[index].p_value))
        adjusted[index] = running
    return tuple(replace(result, p_adjusted=adjusted[index]) for index, result in enumerate(results))
