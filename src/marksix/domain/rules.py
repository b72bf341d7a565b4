"""Mark Six rules: prize tiers, exact odds, and the prize and price eras.

Facts and sources are in ../shared/docs/mark-six-rules.md; everything here is
exact (integers and Fractions) so that prizes are right to the last dollar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import comb

from marksix.domain.draws import PICKED, POOL

#: C(49, 6): the number of single entries.
COMBINATIONS = comb(POOL, PICKED)

#: Share of the pari-mutuel pool per shared tier (after the fixed prizes and
#: the Snowball deduction): 45% to 1st, 15% to 2nd, 40% to 3rd.
SHARED_TIER_SHARES = {1: Fraction(45, 100), 2: Fraction(15, 100), 3: Fraction(40, 100)}
#: Of turnover, 54% is the Prize Fund (the rest is duty, fund and commission).
PRIZE_FUND_SHARE = Fraction(54, 100)
#: Snowball deduction from the pari-mutuel pool since 2006-07-01.
SNOWBALL_DEDUCTION = Fraction(9, 100)
#: Minimum First Division Prize Fund since the 2010-11 unit change.
MINIMUM_FIRST_DIVISION_FUND = 8_000_000

#: The first draw at HK$10 a unit, with the fixed prizes doubled.
TEN_DOLLAR_UNIT_FROM = dt.date(2010, 11, 9)
#: The first draw of the 6/49 format.
SIX_FROM_49_FROM = dt.date(2002, 7, 4)


@dataclass(frozen=True, slots=True)
class Tier:
    """A prize division: how many drawn numbers match and whether the extra does."""

    number: int
    matched: int
    with_extra: bool
    shared: bool

    @property
    def label(self) -> str:
        return f"{self.matched} + extra" if self.with_extra else str(self.matched)

    @property
    def winning_combinations(self) -> int:
        """How many of the C(49,6) single entries win exactly this tier."""
        others = POOL - PICKED - 1  # neither drawn nor the extra: 42
        if self.with_extra:
            return comb(PICKED, self.matched) * comb(others, PICKED - self.matched - 1)
        return comb(PICKED, self.matched) * comb(others, PICKED - self.matched)

    @property
    def probability(self) -> Fraction:
        return Fraction(self.winning_combinations, COMBINATIONS)

    @property
    def odds(self) -> Fraction:
        """The N in "1 in N"."""
        return 1 / self.probability


TIERS: tuple[Tier, ...] = (
    Tier(1, 6, False, True),
    Tier(2, 5, True, True),
    Tier(3, 5, False, True),
    Tier(4, 4, True, False),
    Tier(5, 4, False, False),
    Tier(6, 3, True, False),
    Tier(7, 3, False, False),
)
TIER_BY_NUMBER = {tier.number: tier for tier in TIERS}


def tier_for_match(matched: int, extra_matched: bool) -> int | None:
    """The tier won by an entry with `matched` drawn numbers, or None."""
    if matched == 6:
        return 1
    if matched == 5:
        return 2 if extra_matched else 3
    if matched == 4:
        return 4 if extra_matched else 5
    if matched == 3:
        return 6 if extra_matched else 7
    return None


def any_prize_probability() -> Fraction:
    return sum((tier.probability for tier in TIERS), Fraction(0))


def unit_price(date: dt.date) -> int:
    """HK$ per full unit on that draw date (6/49 era)."""
    return 10 if date >= TEN_DOLLAR_UNIT_FROM else 5


def fixed_prizes(date: dt.date) -> dict[int, int]:
    """Fixed dividends per full unit for tiers 4-7 on that draw date."""
    if date >= TEN_DOLLAR_UNIT_FROM:
        return {4: 9_600, 5: 640, 6: 320, 7: 40}
    if date >= SIX_FROM_49_FROM:
        return {4: 4_800, 5: 320, 6: 160, 7: 20}
    return {4: 4_500, 5: 300, 6: 150}


def fixed_prize_fund(date: dt.date, winning_units: Mapping[int, Decimal | Fraction | int]) -> Fraction:
    """What the fixed tiers cost for the given winning units (per tier)."""
    prizes = fixed_prizes(date)
    return sum((prizes[tier] * Fraction(winning_units.get(tier, 0)) for tier in prizes), Fraction(0))
