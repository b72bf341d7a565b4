"""HKJC's results service: the GraphQL endpoint behind the official Mark Six pages.

Two operations (see ../shared/docs/mark-six-rules.md, section 6):

- `marksixResult` returns the draws between two dates (at most about one
  quarter per request) with their prize pools;
- `marksixDraw` returns the latest result and the draw now on sale, with
  HKJC's jackpot and estimated first prize.

The network is injected (`transport`, `base_url`, `timeout`), and httpx's
errors become ours here, at the boundary. Parsing turns each `LotteryDraw`
record into a validated `Draw` and its `DrawPrizes`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any

import httpx

from marksix.domain.calendar import NextDraw
from marksix.domain.draws import Draw, draw_problems, make_draw
from marksix.domain.prizes import DrawPrizes
from marksix.domain.rules import unit_price
from marksix.errors import (
    DataError,
    NetworkError,
    PermanentApiError,
    RateLimited,
    RetryableApiError,
)

GRAPHQL_URL = "https://info.cld.hkjc.com/graphql/base/"
#: The gateway only answers requests that look like they come from HKJC's own pages.
HEADERS = {
    "Origin": "https://bet.hkjc.com",
    "Referer": "https://bet.hkjc.com/",
    "Accept": "application/json",
    "User-Agent": "marksix (results archive)",
}
DEFAULT_TIMEOUT = 15.0
#: Longer waits than this (a Retry-After of minutes) are left to the user.
MAX_RETRY_WAIT = 30.0
#: The status of a drawn result; other statuses are draws still to come.
RESULT_STATUS = "Result"

_FRAGMENT = """fragment lotteryDrawsFragment on LotteryDraw {
  id
  year
  no
  openDate
  closeDate
  drawDate
  status
  snowballCode
  snowballName_en
  snowballName_ch
  lotteryPool {
    sell
    status
    totalInvestment
    jackpot
    unitBet
    estimatedPrize
    derivedFirstPrizeDiv
    lotteryPrizes {
      type
      winningUnit
      dividend
    }
  }
  drawResult {
    drawnNo
    xDrawnNo
  }
}
"""

RESULT_QUERY = (
    _FRAGMENT
    + """
query marksixResult($lastNDraw: Int, $startDate: String, $endDate: String, $drawType: LotteryDrawType) {
  lotteryDraws(lastNDraw: $lastNDraw, startDate: $startDate, endDate: $endDate, drawType: $drawType) {
    ...lotteryDrawsFragment
  }
}"""
)

NEXT_DRAW_QUERY = (
    _FRAGMENT
    + """
query marksixDraw {
  timeOffset {
    m6
    ts
  }
  lotteryDraws {
    ...lotteryDrawsFragment
  }
}"""
)


# -- parsing -----------------------------------------------------------------


def is_result(record: Mapping[str, Any]) -> bool:
    return record.get("status") == RESULT_STATUS


def record_draw_id(record: Mapping[str, Any]) -> str:
    """`YY/NNN` from the record's year and running number (HKJC's own `id`
    changed format in 2025, so it is not used as the key)."""
    try:
        year = int(str(record.get("year", "")).strip())
        number = int(str(record.get("no", "")).strip())
    except ValueError:
        raise DataError(
            f"record has no usable year/no (year={record.get('year')!r}, no={record.get('no')!r})"
        ) from None
    return f"{year % 100:02d}/{number:03d}"


def _date_part(value: object) -> str:
    # HKJC writes dates as "2026-08-22+08:00"; the draw date is the Hong Kong date.
    return str(value or "").strip()[:10]


def result_problems(record: Mapping[str, Any]) -> list[str]:
    """Every reason a `LotteryDraw` result record is not a valid 6/49 draw."""
    try:
        draw_id = record_draw_id(record)
    except DataError as error:
        return [str(error)]
    result = record.get("drawResult") or {}
    numbers = result.get("drawnNo") if isinstance(result, Mapping) else None
    extra = result.get("xDrawnNo") if isinstance(result, Mapping) else None
    if not isinstance(numbers, list) or extra is None:
        return [f"draw {draw_id} has no drawResult.drawnNo/xDrawnNo"]
    return draw_problems(draw_id, _date_part(record.get("drawDate")), numbers, extra)


def parse_result(record: Mapping[str, Any]) -> Draw:
    """The validated draw of a result record; DataError naming every problem."""
    problems = result_problems(record)
    if problems:
        try:
            label = f"draw {record_draw_id(record)}"
        except DataError:
            label = "record"
        raise DataError(f"{label}: " + "; ".join(problems))
    result = record["drawResult"]
    return make_draw(
        record_draw_id(record), _date_part(record["drawDate"]), result["drawnNo"], result["xDrawnNo"]
    )


def _money(value: object) -> int | None:
    text = str(value if value is not None else "").replace(",", "").strip()
    if not text:
        return None
    try:
        return int(Decimal(text))
    except InvalidOperation:
        raise DataError(f"{value!r} is not an amount of money") from None


def _text(value: object) -> str | None:
    text = str(value or "").strip()
    return text or None


def parse_prizes(record: Mapping[str, Any], draw: Draw) -> DrawPrizes:
    """The prize figures of a result record.

    `winningUnit` is the HK$ amount invested in winning entries, not a count:
    dividing by the pool's `unitBet` gives units, fractional for partial-unit
    entries (HK$5 on a HK$10 unit is half a unit).
    """
    pool = record.get("lotteryPool") or {}
    try:
        unit_bet = _money(pool.get("unitBet")) or unit_price(draw.date)
        dividends, winning_units = _tiers(pool.get("lotteryPrizes") or [], unit_bet)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as error:
        raise DataError(f"draw {draw.draw_id}: unreadable lotteryPrizes ({error!r})") from None
    except DataError as error:
        raise DataError(f"draw {draw.draw_id}: {error}") from None
    return DrawPrizes(
        draw_id=draw.draw_id,
        date=draw.date,
        turnover=_money(pool.get("totalInvestment")),
        jackpot=_money(pool.get("jackpot")),
        first_prize_fund=_money(pool.get("derivedFirstPrizeDiv")),
        snowball_code=_text(record.get("snowballCode")),
        snowball_name=_text(record.get("snowballName_ch")) or _text(record.get("snowballName_en")),
        dividends=dividends,
        winning_units=winning_units,
    )


def _tiers(prizes: Sequence[Mapping[str, Any]], unit_bet: int) -> tuple[dict[int, int], dict[int, Decimal]]:
    dividends: dict[int, int] = {}
    winning_units: dict[int, Decimal] = {}
    for prize in prizes:
        tier = int(prize["type"])
        if not 1 <= tier <= 7:
            raise DataError(f"prize type {tier} is not a tier 1-7")
        dividend = _money(prize.get("dividend"))
        if dividend is not None:
            dividends[tier] = dividend
        invested = prize.get("winningUnit")
        if invested not in (None, ""):
            winning_units[tier] = Decimal(str(invested).replace(",", "")) / Decimal(unit_bet)
    return dividends, winning_units


def parse_announcement(record: Mapping[str, Any]) -> NextDraw:
    """HKJC's word on a draw still on sale (a `marksixDraw` record that is not a result)."""
    draw_id = record_draw_id(record)
    try:
        date = dt.date.fromisoformat(_date_part(record.get("drawDate")))
    except ValueError:
        raise DataError(f"draw {draw_id}: drawDate {record.get('drawDate')!r} is not a date") from None
    pool = record.get("lotteryPool") or {}
    return NextDraw(
        date=date,
        draw_id=draw_id,
        jackpot=_money(pool.get("jackpot")),
        snowball_name=_text(record.get("snowballName_ch")) or _text(record.get("snowballName_en")),
        estimated_first_prize=_money(pool.get("estimatedPrize")),
        announced=True,
    )


def lottery_draws(payload: Any) -> list[Mapping[str, Any]]:
    """The `lotteryDraws` array of a GraphQL response (or of its `data`)."""
    data = payload.get("data", payload) if isinstance(payload, Mapping) else None
    draws = data.get("lotteryDraws") if isinstance(data, Mapping) else None
    if not isinstance(draws, list):
        raise DataError("not an HKJC marksixResult response: no data.lotteryDraws array")
    return [record for record in draws if isinstance(record, Mapping)]


# -- windows -----------------------------------------------------------------


def quarter_windows(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Calendar-quarter windows covering start..end (HKJC answers at most
    about one quarter per request)."""
    current = start
    while current <= end:
        quarter_end_month = (current.month - 1) // 3 * 3 + 3
        next_quarter = dt.date(current.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)
        window_end = min(next_quarter - dt.timedelta(days=1), end)
        yield current, window_end
        current = window_end + dt.timedelta(days=1)


# -- client ------------------------------------------------------------------


class HkjcClient:
    """A small synchronous client for the two Mark Six operations.

    Pass `transport` (for example `httpx.MockTransport`) or `base_url` to
    point it elsewhere; `timeout` bounds every request (None: no limit).
    """

    def __init__(
        self,
        *,
        base_url: str = GRAPHQL_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, timeout=timeout, headers=HEADERS)

    def __enter__(self) -> HkjcClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def results(self, start: dt.date, end: dt.date) -> list[Mapping[str, Any]]:
        """Every `LotteryDraw` record drawn between start and end, inclusive."""
        variables = {
            "lastNDraw": None,
            "startDate": start.strftime("%Y%m%d"),
            "endDate": end.strftime("%Y%m%d"),
            "drawType": "All",
        }
        return _records(self._post("marksixResult", RESULT_QUERY, variables), "marksixResult")

    def latest_and_next(self) -> list[Mapping[str, Any]]:
        """The `marksixDraw` records: the latest result and the draw on sale."""
        return _records(self._post("marksixDraw", NEXT_DRAW_QUERY, {}), "marksixDraw")

    def _post(self, operation: str, query: str, variables: Mapping[str, Any]) -> Any:
        """One operation, retried after a transient failure or throttling (a
        long backfill should survive a passing 503). No answer at all is not
        retried, so being offline fails at once."""
        body = {"operationName": operation, "variables": dict(variables), "query": query}
        for attempt in range(self.retries + 1):
            try:
                return self._post_once(operation, body)
            except (RetryableApiError, RateLimited) as error:
                wait = getattr(error, "retry_after", None) or self.backoff * 2**attempt
                if attempt == self.retries or wait > MAX_RETRY_WAIT:
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_once(self, operation: str, body: Mapping[str, Any]) -> Any:
        try:
            response = self._http.post(self.base_url, json=body)
        except httpx.TimeoutException as error:
            raise NetworkError(f"HKJC did not answer in time ({error.__class__.__name__})") from None
        except httpx.TransportError as error:
            raise NetworkError(
                f"cannot reach HKJC at {self.base_url}: {error or error.__class__.__name__}"
            ) from None
        _raise_for_status(response, operation)
        try:
            payload = response.json()
        except ValueError:
            raise RetryableApiError(
                f"HKJC answered {operation} with something that is not JSON", status=response.status_code
            ) from None
        errors = payload.get("errors") if isinstance(payload, Mapping) else None
        if errors:
            messages = "; ".join(_error_messages(errors))
            raise PermanentApiError(f"HKJC refused {operation}: {messages}", status=response.status_code)
        return payload


def _records(payload: Any, operation: str) -> list[Mapping[str, Any]]:
    try:
        return lottery_draws(payload)
    except DataError:
        raise PermanentApiError(f"HKJC's answer to {operation} has no data.lotteryDraws array") from None


def _error_messages(errors: Any) -> Iterator[str]:
    for error in errors if isinstance(errors, Sequence) and not isinstance(errors, str) else [errors]:
        yield str(error.get("message", error)) if isinstance(error, Mapping) else str(error)


def _raise_for_status(response: httpx.Response, operation: str) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"HKJC answered {operation} with HTTP {status}"
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        raise RateLimited(
            message, retry_after=float(retry_after) if retry_after.isdigit() else None, status=status
        )
    if status >= 500 or status == 408:
        raise RetryableApiError(message, status=status)
    raise PermanentApiError(message, status=status)
