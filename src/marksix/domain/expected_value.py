"""Expected return of one HK$10 single entry in the next draw.

Fixed tiers (4th-7th) pay a fixed amount: their part is exact. The shared
tiers split a pool among the winning units (rules in
../shared/docs/mark-six-rules.md, checked against HKJC's dividends):

    shared pool = (54% of turnover - fixed prizes paid) x (1 - 9% Snowball deduction)
    1st division fund = max(45% of the pool + jackpot, HK$8,000,000)
    2nd = 15% of the pool, 3rd = 40% of the pool

The fixed prizes paid are taken at their expectation, units sold x Σ p_k x
prize_k: averaged over the draw, every combination wins each tier with the same
probability, so popularity does not move that mean.

If this entry wins tier k, it shares with N other winning units. The model
gives their expectation λ for each draw that would make this entry win the
tier (for the 1st prize, the units on this very combination; for the 2nd and
3rd, every draw five numbers away, enumerated exactly). Taking N as Poisson,
E[1/(1+N)] = (1 - e^-λ)/λ. Units are counted at HK$10; partial units make N
fractional in reality, which the Poisson form ignores.

A check on the rules, from the data: up to draw 24/057 the published 3rd
prize dividends match this pool to 0.01% on almost every draw (with a 7%
Snowball deduction before July 2006). From 24/058 (2024-05-21) they imply a
pool about 20% smaller than the published turnover gives, varying by draw.
`published_pool_ratio` measures that on recent draws so the output can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL
from marksix.domain.popularity import (
    PopularityParameters,
    combination_shares,
    draw_context,
    previous_hits_of,
    tier_shares,
)
from marksix.domain.prizes import DrawPrizes
from marksix.domain.rules import (
    MINIMUM_FIRST_DIVISION_FUND,
    PRIZE_FUND_SHARE,
    SHARED_TIER_SHARES,
    SNOWBALL_DEDUCTION,
    TEN_DOLLAR_UNIT_FROM,
    TIERS,
    fixed_prizes,
    unit_price,
)
from marksix.errors import InputError

STAKE = unit_price(TEN_DOLLAR_UNIT_FROM)
FIXED_PRIZES = fixed_prizes(TEN_DOLLAR_UNIT_FROM)


@dataclass(frozen=True, slots=True)
class TierValue:
    tier: int
    match: str
    probability: Fraction
    prize_if_won: float  # expected prize given this entry wins the tier
    co_winners: float | None  # expected other winning units (shared tiers)
    contribution: float  # probability x prize_if_won
    exact_contribution: Fraction | None = None  # fixed tiers only

    def to_json(self) -> dict[str, Any]:
        exact = self.exact_contribution
        return {
            "tier": self.tier,
            "match": self.match,
            "probability": float(self.probability),
            "prize_if_won": round(self.prize_if_won, 2),
            "co_winners": None if self.co_winners is None else round(self.co_winners, 4),
            "contribution": round(self.contribution, 6),
            "contribution_exact": None if exact is None else f"{exact.numerator}/{exact.denominator}",
        }


@dataclass(frozen=True, slots=True)
class ExpectedValue:
    numbers: tuple[int, ...]
    turnover: int
    jackpot: int
    tiers: tuple[TierValue, ...]
    uniform_return: float  # the same figures if every player chose at random
    pools: dict[str, float]

    @property
    def expected_return(self) -> float:
        return sum(tier.contribution for tier in self.tiers)

    def to_json(self) -> dict[str, Any]:
        return {
            "numbers": list(self.numbers),
            "stake": STAKE,
            "turnover": self.turnover,
            "jackpot": self.jackpot,
            "expected_return": round(self.expected_return, 4),
            "expected_return_if_everyone_played_at_random": round(self.uniform_return, 4),
            "tiers": [tier.to_json() for tier in self.tiers],
            "pools": {name: round(value, 2) for name, value in self.pools.items()},
        }


def shared_pools(turnover: int, jackpot: int) -> dict[str, float]:
    """The expected pools of the shared tiers for a draw with these figures."""
    units = turnover / STAKE
    fixed = units * float(sum(TIERS[k - 1].probability * FIXED_PRIZES[k] for k in FIXED_PRIZES))
    pool = (float(PRIZE_FUND_SHARE) * turnover - fixed) * float(1 - SNOWBALL_DEDUCTION)
    first = max(float(SHARED_TIER_SHARES[1]) * pool + jackpot, float(MINIMUM_FIRST_DIVISION_FUND))
    return {
        "prize_fund": float(PRIZE_FUND_SHARE) * turnover,
        "fixed_prizes_expected": fixed,
        "shared_pool": pool,
        "first_division_fund": first,
        "second_division_fund": float(SHARED_TIER_SHARES[2]) * pool,
        "third_division_fund": float(SHARED_TIER_SHARES[3]) * pool,
    }


def published_pool_ratio(prizes: Iterable[DrawPrizes], last: int = 50) -> tuple[float, int] | None:
    """Median of (3rd-prize pool implied by HKJC's dividend) / (the rules' pool)
    over the last `last` HK$10-era draws that publish both, with the count."""
    ratios: list[tuple[tuple[object, str], float]] = []
    for record in prizes:
        units = record.winning_units
        if record.date < TEN_DOLLAR_UNIT_FROM or not record.turnover or not units.get(3):
            continue
        if 3 not in record.dividends or any(tier not in units for tier in FIXED_PRIZES):
            continue
        fixed = sum(FIXED_PRIZES[tier] * float(units[tier]) for tier in FIXED_PRIZES)
        pool = (float(PRIZE_FUND_SHARE) * record.turnover - fixed) * float(1 - SNOWBALL_DEDUCTION)
        if pool <= 0:
            continue
        implied = record.dividends[3] * float(units[3]) / float(SHARED_TIER_SHARES[3])
        ratios.append(((record.date, record.draw_id), implied / pool))
    if not ratios:
        return None
    recent = [ratio for _, ratio in sorted(ratios)[-last:]]
    return float(np.median(recent)), len(recent)


def share_factor(expected_others: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """E[1/(1+N)] for N ~ Poisson(λ): (1 - e^-λ)/λ, and 1 at λ = 0."""
    lam = np.asarray(expected_others, dtype=np.float64)
    safe = np.where(lam > 1e-12, lam, 1.0)
    factor: npt.NDArray[np.float64] = np.where(lam > 1e-12, -np.expm1(-safe) / safe, 1.0 - lam / 2)
    return factor


def _winning_draws(numbers: Sequence[int], tier: int) -> tuple[list[tuple[int, ...]], list[int]]:
    """Every (drawn six, extra) that makes `numbers` win the 2nd or 3rd prize."""
    chosen = set(numbers)
    outside = [n for n in range(1, POOL + 1) if n not in chosen]
    drawn: list[tuple[int, ...]] = []
    extras: list[int] = []
    for missing in numbers:
        kept = [n for n in numbers if n != missing]
        for added in outside:
            six = tuple(sorted((*kept, added)))
            if tier == 2:
                drawn.append(six)
                extras.append(missing)
                continue
            for extra in outside:
                if extra != added:
                    drawn.append(six)
                    extras.append(extra)
    return drawn, extras


def expected_value(
    numbers: Sequence[int],
    parameters: PopularityParameters,
    *,
    turnover: int,
    jackpot: int,
    previous: Sequence[int] = (),
) -> ExpectedValue:
    """Expected return per HK$10 of the single entry `numbers` (see module docstring)."""
    entry = tuple(sorted(numbers))
    if len(entry) != PICKED or len(set(entry)) != PICKED or not all(1 <= n <= POOL for n in entry):
        raise InputError(
            f"an expected value needs {PICKED} different numbers from 1-{POOL}, got {list(numbers)}"
        )
    if turnover <= 0:
        raise InputError(f"turnover must be a positive amount in HK$, not {turnover}")
    if jackpot < 0:
        raise InputError(f"jackpot cannot be negative ({jackpot})")
    units = turnover / STAKE
    pools = shared_pools(turnover, jackpot)
    previous_hits = previous_hits_of(previous)
    funds = {
        1: pools["first_division_fund"],
        2: pools["second_division_fund"],
        3: pools["third_division_fund"],
    }

    contexts = {}
    for shared_tier in (2, 3):
        drawn, extras = _winning_draws(entry, shared_tier)
        contexts[shared_tier] = draw_context(
            drawn, extras, previous_hits[None, :], group=np.zeros(len(drawn))
        )

    def shared(parameters: PopularityParameters) -> dict[int, tuple[float, float]]:
        share_of_entry = float(combination_shares(parameters, [entry], previous_hits)[0])
        result = {1: (share_factor(units * share_of_entry).item(), units * share_of_entry)}
        for number, context in contexts.items():
            others = units * tier_shares(parameters, context)[:, number]
            result[number] = (float(share_factor(others).mean()), float(others.mean()))
        return result

    modelled = shared(parameters)
    uniform = shared(PopularityParameters.uniform())
    tiers: list[TierValue] = []
    uniform_return = 0.0
    for tier in TIERS:
        if tier.number in funds:
            factor, others = modelled[tier.number]
            prize = funds[tier.number] * factor
            uniform_return += float(tier.probability) * funds[tier.number] * uniform[tier.number][0]
            tiers.append(
                TierValue(
                    tier.number, tier.label, tier.probability, prize, others, float(tier.probability) * prize
                )
            )
        else:
            prize_exact = FIXED_PRIZES[tier.number]
            contribution = tier.probability * prize_exact
            uniform_return += float(contribution)
            tiers.append(
                TierValue(
                    tier.number,
                    tier.label,
                    tier.probability,
                    float(prize_exact),
                    None,
                    float(contribution),
                    contribution,
                )
            )
    return ExpectedValue(entry, turnover, jackpot, tuple(tiers), uniform_return, pools)
