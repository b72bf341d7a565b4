"""A simulated HKJC results service for the sandbox, in HKJC's GraphQL shape.

It answers the two operations `marksix.draws.hkjc.HkjcClient` sends
(`marksixResult` over a date window, `marksixDraw` for the latest result and
the draw on sale) with `LotteryDraw` records like the real ones, so the
results poller reads simulated draws through exactly the code that reads
real ones. `run_next_draw` draws the next draw now: numbers from the OS's
secure source (`secrets`), a turnover, winner counts near what that turnover
buys at each tier's odds, and shared-tier dividends sized to the pool.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import httpx

from marksix.domain.calendar import HONG_KONG, next_scheduled_draw
from marksix.domain.draws import POOL, Draw
from marksix.domain.rules import (
    MINIMUM_FIRST_DIVISION_FUND,
    PRIZE_FUND_SHARE,
    SHARED_TIER_SHARES,
    TIERS,
    fixed_prizes,
)

UNIT = 10
#: How long after sales close a draw not yet made is still the one to draw (HKJC late).
RESULT_WINDOW = dt.timedelta(hours=3)
_SYSTEM = secrets.SystemRandom()


def _poisson(mean: float) -> int:
    """A Poisson draw from the secure source (inversion for small means, normal beyond)."""
    if mean > 50:
        return max(0, round(_SYSTEM.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, _SYSTEM.random()
    while product > threshold:
        count += 1
        product *= _SYSTEM.random()
    return count


def draw_numbers() -> tuple[list[int], int]:
    """Six numbers and the extra, drawn without replacement from 1-49."""
    balls = _SYSTEM.sample(range(1, POOL + 1), 7)
    return sorted(balls[:6]), balls[6]


def _record(draw_id_year: int, number: int, draw_date: dt.date, status: str) -> dict[str, Any]:
    return {
        "id": f"{draw_id_year}{number:02d}N",
        "year": str(draw_id_year),
        "no": number,
        "openDate": f"{(draw_date - dt.timedelta(days=2)).isoformat()}+08:00",
        "closeDate": f"{draw_date.isoformat()}T21:15:00+08:00",
        "drawDate": f"{draw_date.isoformat()}+08:00",
        "status": status,
        "snowballCode": "",
        "snowballName_en": "",
        "snowballName_ch": "",
        "lotteryPool": {
            "sell": status != "Result",
            "status": "Payout" if status == "Result" else "StartSell",
            "totalInvestment": "",
            "jackpot": "",
            "unitBet": UNIT,
            "estimatedPrize": "",
            "derivedFirstPrizeDiv": "",
            "lotteryPrizes": [],
        },
        "drawResult": {"drawnNo": [], "xDrawnNo": None},
    }


def prize_pool(draw_date: dt.date, turnover: int) -> list[dict[str, Any]]:
    """Winner counts near what the turnover buys, and dividends that share the pool."""
    units = turnover // UNIT
    winners = {tier.number: _poisson(units * float(tier.probability)) for tier in TIERS}
    fixed = fixed_prizes(draw_date)
    fixed_cost = sum(fixed[tier] * winners[tier] for tier in fixed)
    shared_fund = max(Fraction(turnover) * PRIZE_FUND_SHARE - fixed_cost, Fraction(0))
    prizes = []
    for tier in TIERS:
        count = winners[tier.number]
        if tier.shared:
            fund = shared_fund * SHARED_TIER_SHARES[tier.number]
            if tier.number == 1:
                fund = max(fund, Fraction(MINIMUM_FIRST_DIVISION_FUND))
            dividend = int(fund / count) // 10 * 10 if count else 0
        else:
            dividend = fixed[tier.number]
        prizes.append({"type": tier.number, "winningUnit": count * UNIT, "dividend": str(dividend)})
    return prizes


class SimulatedHkjc:
    """The records the simulated service knows, and the GraphQL answers over them."""

    def __init__(self, latest: Callable[[], Draw | None], clock: Callable[[], dt.datetime]) -> None:
        self._latest = latest  # the archive's latest draw, to continue its numbering
        self._clock = clock
        self._lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        #: Draw dates HKJC moved: regular date -> the date it is drawn on instead.
        self.moved: dict[dt.date, dt.date] = {}
        self.requests = 0

    def _next_number(self, draw_date: dt.date) -> tuple[int, int]:
        latest_known = [
            (int(record["year"]), int(record["no"]))
            for record in self.records
            if record["status"] == "Result"
        ]
        latest = self._latest()
        if latest is not None:
            latest_known.append((2000 + int(latest.draw_id[:2]), int(latest.draw_id[3:])))
        year, number = max(latest_known, default=(draw_date.year, 0))
        return (draw_date.year, number + 1) if year == draw_date.year else (draw_date.year, 1)

    def _known_dates(self) -> set[dt.date]:
        return {dt.date.fromisoformat(record["drawDate"][:10]) for record in self.records}

    def _due_date(self, now: dt.datetime) -> dt.date:
        """The draw whose sales closed in the last few hours, if nobody has drawn it
        yet (the real order: sales close, then the draw); otherwise the draw on sale
        now, drawn early (the sandbox does not wait for 21:15)."""
        latest = self._latest()
        known = self._known_dates() | ({latest.date} if latest is not None else set())
        newest = max(known, default=None)
        closed = next_scheduled_draw(now - dt.timedelta(days=7))
        while next_scheduled_draw(closed.sales_close_at).sales_close_at <= now:
            closed = next_scheduled_draw(closed.sales_close_at)
        candidate = self.moved.get(closed.date, closed.date)
        close = dt.datetime.combine(candidate, dt.time(21, 15), tzinfo=HONG_KONG)
        if close <= now < close + RESULT_WINDOW and (newest is None or candidate > newest):
            return candidate
        return self._on_sale(now, known)

    def _on_sale(self, now: dt.datetime, known: set[dt.date]) -> dt.date:
        regular = next_scheduled_draw(now).date
        while self.moved.get(regular, regular) in known or (known and regular < max(known)):
            regular = next_scheduled_draw(
                dt.datetime.combine(regular, dt.time(21, 16), tzinfo=HONG_KONG)
            ).date
        return self.moved.get(regular, regular)

    def run_next_draw(self) -> dict[str, Any]:
        """Draw the next draw now; answers {"draw_id", "numbers", "extra", "draw_date"}."""
        with self._lock:
            draw_date = self._due_date(self._clock())
            year, number = self._next_number(draw_date)
            numbers, extra = draw_numbers()
            turnover = _SYSTEM.randrange(60_000_000, 140_000_000, 10)
            record = _record(year, number, draw_date, "Result")
            record["lotteryPool"]["totalInvestment"] = str(turnover)
            record["lotteryPool"]["lotteryPrizes"] = prize_pool(draw_date, turnover)
            record["drawResult"] = {"drawnNo": numbers, "xDrawnNo": extra}
            self.records.append(record)
            return {
                "draw_id": f"{year % 100:02d}/{number:03d}",
                "numbers": numbers,
                "extra": extra,
                "draw_date": draw_date.isoformat(),
            }

    def answer(self, body: Any) -> tuple[int, Any]:
        with self._lock:
            self.requests += 1
            if not isinstance(body, dict) or body.get("operationName") not in (
                "marksixResult",
                "marksixDraw",
            ):
                return 400, {"errors": [{"message": "unknown operation"}]}
            if body["operationName"] == "marksixDraw":
                latest = [record for record in self.records if record["status"] == "Result"][-1:]
                return 200, {
                    "data": {
                        "timeOffset": {"m6": 0, "ts": self._clock().astimezone(HONG_KONG).isoformat()},
                        "lotteryDraws": latest + self._announcement(latest),
                    }
                }
            variables = body.get("variables") or {}
            try:
                start = dt.datetime.strptime(str(variables["startDate"]), "%Y%m%d").date()
                end = dt.datetime.strptime(str(variables["endDate"]), "%Y%m%d").date()
            except (KeyError, ValueError):
                return 200, {"errors": [{"message": "startDate and endDate are required as YYYYMMDD"}]}
            if (end - start).days > 92:
                return 200, {"errors": [{"message": "date range too long"}]}
            found = [
                record
                for record in self.records
                if start <= dt.date.fromisoformat(record["drawDate"][:10]) <= end
            ]
            return 200, {"data": {"lotteryDraws": found}}

    def _announcement(self, latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The draw on sale after the latest result, as HKJC announces it (with its id)."""
        if not latest:
            return []
        now = self._clock()
        drawn = dt.date.fromisoformat(latest[0]["drawDate"][:10])
        on_sale = self._on_sale(now, {drawn})
        year, number = int(latest[0]["year"]), int(latest[0]["no"])
        year, number = (year, number + 1) if on_sale.year == year else (on_sale.year, 1)
        return [_record(year, number, on_sale, "StartSell")]

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            return httpx.Response(400, json={"errors": [{"message": "body is not JSON"}]})
        status, payload = self.answer(body)
        return httpx.Response(status, json=payload)

    def transport(self) -> httpx.MockTransport:
        """The in-process transport the sandbox's poller reads through (no socket)."""
        return httpx.MockTransport(self.handle)
