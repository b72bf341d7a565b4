"""A draw's ledger: the lines handed out before its sales closed, frozen and settled.

Pure: no I/O. A line belongs to the first draw whose sales had not closed
when the reply went out (21:15 Hong Kong time on a draw day), so a line
given at 21:20 belongs to the next draw.

The commitment is SHA-256 over a canonical serialisation: UTF-8 JSON with
sorted keys, no spaces, the entries in a fixed order. Anyone holding an
export can recompute it (`marksix record verify FILE`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from marksix.domain.calendar import NextDraw, next_scheduled_draw
from marksix.domain.draws import Draw
from marksix.domain.prizes import DrawPrizes
from marksix.domain.rules import TIERS
from marksix.domain.tickets import Ticket, check_ticket, money_json
from marksix.errors import InputError

FORMAT = "marksix-ledger/1"
TIER_NUMBERS = tuple(tier.number for tier in TIERS)
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th"}


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One ticket the bot handed out: the comment it answered, when, and how it was drawn."""

    account_id: str
    comment_id: str
    handed_out_at: dt.datetime  # aware
    strategy: str
    numbers: tuple[int, ...]  # the legs, sorted
    bankers: tuple[int, ...] = ()

    @property
    def ticket(self) -> Ticket:
        return Ticket.parse(self.numbers, self.bankers)

    @property
    def lines(self) -> int:
        return self.ticket.entry_count

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "comment_id": self.comment_id,
            "handed_out_at": _utc_text(self.handed_out_at),
            "strategy": self.strategy,
            "numbers": list(self.numbers),
            "bankers": list(self.bankers),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEntry:
        try:
            return cls(
                account_id=str(data["account_id"]),
                comment_id=str(data["comment_id"]),
                handed_out_at=dt.datetime.fromisoformat(str(data["handed_out_at"]).replace("Z", "+00:00")),
                strategy=str(data["strategy"]),
                numbers=tuple(int(number) for number in data["numbers"]),
                bankers=tuple(int(number) for number in data.get("bankers", ())),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"a ledger entry is malformed ({type(error).__name__}: {error}): {data!r}"
            ) from None

    def sort_key(self) -> tuple[str, str, str]:
        return (_utc_text(self.handed_out_at), self.account_id, self.comment_id)


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise InputError(f"naive time {moment!r} in a ledger: times must be aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def draw_date_for(handed_out_at: dt.datetime) -> dt.date:
    """The regular draw a line handed out at that moment belongs to."""
    return next_scheduled_draw(handed_out_at).date


def sales_close_for(draw_date: dt.date) -> dt.datetime:
    return NextDraw(date=draw_date).sales_close_at


def ledger_body(draw_date: dt.date, entries: Iterable[LedgerEntry]) -> dict[str, Any]:
    """What the commitment covers: the format, the draw date and every entry in order."""
    ordered = sorted(entries, key=LedgerEntry.sort_key)
    return {
        "format": FORMAT,
        "draw_date": draw_date.isoformat(),
        "entries": [entry.to_json() for entry in ordered],
    }


def canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def commitment_of(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def entries_of(body: Mapping[str, Any]) -> list[LedgerEntry]:
    if body.get("format") != FORMAT:
        raise InputError(f"not a marksix ledger: format {body.get('format')!r}, expected {FORMAT!r}")
    raw = body.get("entries")
    if not isinstance(raw, list):
        raise InputError("a ledger needs an 'entries' list")
    return [LedgerEntry.from_json(item) for item in raw]


@dataclass(frozen=True, slots=True)
class TierExpectation:
    tier: int
    expected: float
    low: int
    high: int


def expectations(lines: int) -> dict[int, TierExpectation]:
    """Per tier, the exact mean and central 95% interval of winning lines when
    `lines` lines are played at random (binomial with the tier's exact odds)."""
    from scipy.stats import binom

    result = {}
    for tier in TIERS:
        probability = float(tier.probability)
        low, high = binom.interval(0.95, lines, probability) if lines else (0.0, 0.0)
        result[tier.number] = TierExpectation(tier.number, lines * probability, int(low), int(high))
    return result


@dataclass(frozen=True, slots=True)
class Settlement:
    draw: Draw
    lines: int
    by_tier: dict[int, int]
    prize_total: Fraction
    prize_unknown: bool  # a shared-tier win whose dividend is not published yet
    expected: dict[int, TierExpectation]

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw.draw_id,
            "numbers": list(self.draw.numbers),
            "extra": self.draw.extra,
            "lines": self.lines,
            "by_tier": {str(tier): self.by_tier[tier] for tier in TIER_NUMBERS},
            "expected_by_tier": {str(tier): round(self.expected[tier].expected, 6) for tier in TIER_NUMBERS},
            "interval_by_tier": {
                str(tier): [self.expected[tier].low, self.expected[tier].high] for tier in TIER_NUMBERS
            },
            "prize_total": money_json(self.prize_total),
            "prize_unknown": self.prize_unknown,
        }


def settle(entries: Sequence[LedgerEntry], draw: Draw, prizes: DrawPrizes | None) -> Settlement:
    """Check every line against the draw and set the counts beside random play."""
    by_tier = dict.fromkeys(TIER_NUMBERS, 0)
    total = Fraction(0)
    unknown = False
    lines = 0
    for entry in entries:
        result = check_ticket(entry.ticket, draw, prizes)
        lines += len(result.entries)
        for won in result.winners:
            if won.tier is not None:
                by_tier[won.tier] += 1
        total += result.prize
        unknown = unknown or result.prize_unknown
    return Settlement(draw, lines, by_tier, total, unknown, expectations(lines))


def _about(value: float) -> str:
    if value >= 10:
        return f"{value:,.0f}"
    if value >= 0.1:
        return f"{value:.1f}"
    return f"{value:.2g}" if value else "0"


def describe(draw_label: str, lines: int, settlement: Settlement | None) -> list[str]:
    """The record in plain words; it never claims the lines were foreseen."""
    if settlement is None:
        return [
            f"We handed out {lines:,} line{'s' if lines != 1 else ''} for {draw_label}. "
            "The ledger is frozen; it is settled once the result is in."
        ]
    sentences = [f"We handed out {lines:,} line{'s' if lines != 1 else ''} for {draw_label}."]
    for tier in reversed(TIER_NUMBERS):
        count = settlement.by_tier[tier]
        expected = settlement.expected[tier]
        if count == 0 and expected.expected < 0.5:
            continue
        about = f"random play would give about {_about(expected.expected)}"
        if expected.low <= count <= expected.high:
            note = f"{about}, and {expected.low:,} to {expected.high:,} is normal"
        else:
            note = f"{about}; counts this far from it come up by chance now and then over many draws"
        sentences.append(f"{count:,} won a {ORDINALS[tier]} prize ({note}).")
    if all(count == 0 for count in settlement.by_tier.values()):
        sentences.append("None won a prize.")
    prize = money_json(settlement.prize_total) or 0
    sentences.append(
        f"Prizes on these lines: HK${prize:,}"
        + (" plus shared prizes not yet published." if settlement.prize_unknown else ".")
    )
    sentences.append(
        "Every line has the same chance in every draw; these counts show what randomness looks like."
    )
    return sentences
