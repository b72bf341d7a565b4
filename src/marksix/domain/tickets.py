"""Tickets: single, multiple and banker entries, their cost, and checking them.

A single entry is six numbers. A multiple entry (複式) is seven or more numbers
and stands for every six-number combination of them. A banker entry (膽拖)
has one to five bankers that are in every combination, filled up from the
legs. Prizes are exact Fractions: partial units pay pro rata.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL, Draw
from marksix.domain.prizes import DrawPrizes
from marksix.domain.rules import TIER_BY_NUMBER, fixed_prizes, tier_for_match, unit_price
from marksix.errors import TicketError

MAX_BANKERS = 5
PARTIAL_UNIT = 5


def _as_numbers(values: Iterable[object], what: str) -> list[int]:
    numbers: list[int] = []
    for value in values:
        try:
            numbers.append(int(str(value).strip()))
        except ValueError:
            raise TicketError(f"{what} {value!r} is not a whole number") from None
    return numbers


@dataclass(frozen=True, slots=True)
class Ticket:
    """A validated entry: `bankers` (maybe none) and `legs`, both sorted."""

    legs: tuple[int, ...]
    bankers: tuple[int, ...] = ()

    @classmethod
    def parse(cls, numbers: Iterable[object], bankers: Iterable[object] = ()) -> Ticket:
        """Validate raw numbers, naming the first rule they break."""
        legs = _as_numbers(numbers, "number")
        banker_list = _as_numbers(bankers, "banker")
        for label, values in (("number", legs), ("banker", banker_list)):
            outside = sorted({v for v in values if not 1 <= v <= POOL})
            if outside:
                raise TicketError(
                    f"{label}s out of range 1-{POOL}: {', '.join(map(str, outside))}"
                    if len(outside) > 1
                    else f"{label} {outside[0]} is out of range 1-{POOL}"
                )
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise TicketError(f"duplicate {label}s: {', '.join(map(str, repeated))}")
        both = sorted(set(legs) & set(banker_list))
        if both:
            raise TicketError(f"{', '.join(map(str, both))} cannot be both a banker and a leg; list it once")
        if len(banker_list) > MAX_BANKERS:
            raise TicketError(f"too many bankers: {len(banker_list)}, at most {MAX_BANKERS}")
        if banker_list:
            if len(banker_list) + len(legs) < PICKED + 1:
                raise TicketError(
                    f"too few numbers for a banker entry: {len(banker_list)} banker(s) and "
                    f"{len(legs)} leg(s); bankers plus legs must be at least {PICKED + 1}"
                )
        elif len(legs) < PICKED:
            raise TicketError(f"too few numbers: {len(legs)} given, an entry needs {PICKED}")
        return cls(legs=tuple(sorted(legs)), bankers=tuple(sorted(banker_list)))

    @property
    def kind(self) -> str:
        if self.bankers:
            return "banker"
        return "single" if len(self.legs) == PICKED else "multiple"

    @property
    def entry_count(self) -> int:
        return comb(len(self.legs), PICKED - len(self.bankers))

    def entries(self) -> list[tuple[int, ...]]:
        """Every six-number combination the ticket stands for, sorted."""
        return [
            tuple(sorted(self.bankers + chosen))
            for chosen in combinations(self.legs, PICKED - len(self.bankers))
        ]

    def entry_matrix(self) -> npt.NDArray[np.int16]:
        return np.array(self.entries(), dtype=np.int16).reshape(-1, PICKED)

    def stake_per_entry(self, date_unit_price: int, partial: bool) -> int:
        """HK$ per entry: a full unit, or a HK$5 partial unit (multiple and banker only)."""
        if partial:
            if self.kind == "single":
                raise TicketError("partial units are only for multiple and banker entries")
            return PARTIAL_UNIT
        return date_unit_price

    def cost(self, date_unit_price: int = 10, partial: bool = False) -> int:
        return self.entry_count * self.stake_per_entry(date_unit_price, partial)


def tier_for(entry: Sequence[int], draw: Draw) -> int | None:
    """The prize tier a single six-number entry wins in a draw, or None."""
    drawn = set(draw.numbers)
    matched = sum(1 for number in entry if number in drawn)
    return tier_for_match(matched, draw.extra in entry)


def tiers_for(entries: npt.NDArray[np.int16], draw: Draw) -> npt.NDArray[np.int8]:
    """tier_for over an (m, 6) array at once; 0 where nothing is won."""
    matched = np.isin(entries, np.array(draw.numbers)).sum(axis=1)
    with_extra = (entries == draw.extra).any(axis=1)
    lookup = np.zeros((PICKED + 1, 2), dtype=np.int8)
    for count in range(PICKED + 1):
        for extra in (False, True):
            lookup[count, int(extra)] = tier_for_match(count, extra) or 0
    result: npt.NDArray[np.int8] = lookup[matched, with_extra.astype(np.intp)]
    return result


@dataclass(frozen=True, slots=True)
class EntryResult:
    numbers: tuple[int, ...]
    tier: int | None
    prize: Fraction | None  # None: a shared tier whose dividend is not known

    def to_json(self) -> dict[str, Any]:
        return {"numbers": list(self.numbers), "tier": self.tier, "prize": money_json(self.prize)}


@dataclass(frozen=True, slots=True)
class CheckResult:
    draw: Draw
    ticket: Ticket
    entries: tuple[EntryResult, ...]
    cost: int
    stake_per_entry: int

    @property
    def winners(self) -> tuple[EntryResult, ...]:
        return tuple(entry for entry in self.entries if entry.tier is not None)

    @property
    def prize(self) -> Fraction:
        return sum((entry.prize or Fraction(0) for entry in self.entries), Fraction(0))

    @property
    def prize_unknown(self) -> bool:
        """True when a shared-tier win has no recorded dividend yet."""
        return any(entry.tier is not None and entry.prize is None for entry in self.entries)

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw.draw_id,
            "entries": [entry.to_json() for entry in self.entries],
            "cost": self.cost,
            "prize": money_json(self.prize),
        }


def money_json(amount: Fraction | None) -> int | float | None:
    """HK$ as an int when whole (nearly always), else a float of the cents."""
    if amount is None:
        return None
    if amount.denominator == 1:
        return int(amount)
    return round(float(amount), 2)


def prize_for(tier: int, draw: Draw, prizes: DrawPrizes | None, stake: int) -> Fraction | None:
    """What one entry of `stake` HK$ wins in `tier`; None when not yet known."""
    full_unit = unit_price(draw.date)
    if TIER_BY_NUMBER[tier].shared:
        dividend = prizes.dividend(tier) if prizes is not None else None
        if dividend is None:
            return None
        return Fraction(dividend) * Fraction(stake, full_unit)
    return Fraction(fixed_prizes(draw.date)[tier]) * Fraction(stake, full_unit)


def check_ticket(
    ticket: Ticket, draw: Draw, prizes: DrawPrizes | None = None, partial: bool = False
) -> CheckResult:
    """Expand a ticket and price every entry against a draw."""
    full_unit = unit_price(draw.date)
    stake = ticket.stake_per_entry(full_unit, partial)
    entries = ticket.entries()
    tiers = tiers_for(np.array(entries, dtype=np.int16).reshape(-1, PICKED), draw)
    results = tuple(
        EntryResult(
            numbers=entry,
            tier=int(tier) or None,
            prize=prize_for(int(tier), draw, prizes, stake) if tier else Fraction(0),
        )
        for entry, tier in zip(entries, tiers.tolist(), strict=True)
    )
    return CheckResult(
        draw=draw, ticket=ticket, entries=results, cost=stake * len(entries), stake_per_entry=stake
    )


# --- huge tickets: counted, not listed --------------------------------------------------------
def tier_counts(ticket: Ticket, draw: Draw) -> dict[int, int]:
    """How many of the ticket's entries win each tier, counted without listing them.

    An entry is the bankers plus k legs; it matches the bankers' hits plus the
    j drawn legs it takes, and holds the extra number if a banker is it or it
    takes that leg. Summing C(drawn legs, j) x C(other legs, k - j - x) over
    j and x (the extra taken or not) counts all 13,983,816 entries of a
    49-number ticket at once.
    """
    drawn = set(draw.numbers)
    banker_hits = sum(1 for number in ticket.bankers if number in drawn)
    extra_banked = draw.extra in ticket.bankers
    drawn_legs = sum(1 for number in ticket.legs if number in drawn)
    extra_leg = draw.extra in ticket.legs
    other_legs = len(ticket.legs) - drawn_legs - int(extra_leg)
    take = PICKED - len(ticket.bankers)
    counts: dict[int, int] = {}
    for hits in range(min(drawn_legs, take) + 1):
        for extra in (0, 1) if extra_leg else (0,):
            rest = take - hits - extra
            ways = comb(drawn_legs, hits) * comb(other_legs, rest) if rest >= 0 else 0
            tier = tier_for_match(banker_hits + hits, extra_banked or extra == 1)
            if ways and tier:
                counts[tier] = counts.get(tier, 0) + ways
    return dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class TierSummary:
    tier: int
    entries: int
    prize_each: Fraction | None  # None: a shared tier whose dividend is not known

    @property
    def total(self) -> Fraction | None:
        return None if self.prize_each is None else self.prize_each * self.entries

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "entries": self.entries,
            "prize_each": money_json(self.prize_each),
            "total": money_json(self.total),
        }


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """A ticket's result by tier: what `check` shows when the entries are too many to list."""

    draw: Draw
    ticket: Ticket
    tiers: tuple[TierSummary, ...]
    cost: int
    stake_per_entry: int

    @property
    def prize(self) -> Fraction:
        return sum((tier.total or Fraction(0) for tier in self.tiers), Fraction(0))

    @property
    def prize_unknown(self) -> bool:
        return any(tier.prize_each is None for tier in self.tiers)

    @property
    def winning_entries(self) -> int:
        return sum(tier.entries for tier in self.tiers)


def summarise_ticket(
    ticket: Ticket, draw: Draw, prizes: DrawPrizes | None = None, partial: bool = False
) -> TicketSummary:
    stake = ticket.stake_per_entry(unit_price(draw.date), partial)
    tiers = tuple(
        TierSummary(tier, count, prize_for(tier, draw, prizes, stake))
        for tier, count in tier_counts(ticket, draw).items()
    )
    return TicketSummary(draw, ticket, tiers, stake * ticket.entry_count, stake)


def winning_entries(
    ticket: Ticket, draw: Draw, prizes: DrawPrizes | None = None, partial: bool = False
) -> Iterator[EntryResult]:
    """The winning entries one by one, in order, without building the whole list."""
    stake = ticket.stake_per_entry(unit_price(draw.date), partial)
    for chosen in combinations(ticket.legs, PICKED - len(ticket.bankers)):
        entry = tuple(sorted(ticket.bankers + chosen))
        tier = tier_for(entry, draw)
        if tier is not None:
            yield EntryResult(entry, tier, prize_for(tier, draw, prizes, stake))
