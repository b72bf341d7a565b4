"""Recorded prize data of a draw: turnover, jackpot, dividends and winners."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from marksix.domain.rules import unit_price


@dataclass(frozen=True, slots=True)
class DrawPrizes:
    """HKJC's published figures for one draw; None where the source has none.

    `dividends[tier]` is HK$ per full unit of that draw's era and
    `winning_units[tier]` may be fractional because of partial-unit entries (exact Decimals).
    """

    draw_id: str
    date: dt.date
    turnover: int | None = None
    jackpot: int | None = None
    first_prize_fund: int | None = None
    snowball_code: str | None = None
    snowball_name: str | None = None
    dividends: dict[int, int] = field(default_factory=dict)
    winning_units: dict[int, Decimal] = field(default_factory=dict)

    @property
    def unit_price(self) -> int:
        return unit_price(self.date)

    def dividend(self, tier: int) -> int | None:
        return self.dividends.get(tier)
