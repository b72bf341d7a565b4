"""The HKJC client and record parsing, against recorded responses (tests/fixtures/hkjc)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.draws import hkjc
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.errors import DataError, NetworkError, PermanentApiError, RateLimited, RetryableApiError

FIXTURES = Path(__file__).parent / "fixtures" / "hkjc"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


RESULTS = fixture("marksixResult_20260811_20260930.json")
NEXT_DRAW = fixture("marksixDraw_20260906.json")


def test_fixture_results_parse_into_valid_draws_that_agree_with_the_bundled_data() -> None:
    records = hkjc.lottery_draws(RESULTS)
    draws = {draw.draw_id: draw for draw in map(hkjc.parse_result, records)}
    assert sorted(draws) == [f"26/{number:03d}" for number in range(87, 97)]
    bundled = bundled_history()
    overlap = [draw_id for draw_id in draws if draw_id in bundled]
    assert overlap == [f"26/{number:03d}" for number in range(92, 86, -1)]
    for draw_id in overlap:
        assert draws[draw_id] == bundled.get(draw_id)
        known = bundled_prizes()[draw_id]
        fetched = hkjc.parse_prizes(
            next(r for r in records if hkjc.parse_result(r).draw_id == draw_id), draws[draw_id]
        )
        assert (fetched.turnover, fetched.jackpot, fetched.first_prize_fund) == (
            known.turnover,
            known.jackpot,
            known.first_prize_fund,
        )


def test_winning_unit_is_money_and_becomes_units() -> None:
    record = next(r for r in hkjc.lottery_draws(RESULTS) if r["no"] == 87)
    prizes = hkjc.parse_prizes(record, hkjc.parse_result(record))
    # HK$5 invested in first-prize entries at HK$10 a unit: half a unit.
    assert prizes.winning_units[1] == Decimal("0.5")
    assert prizes.winning_units[7] == Decimal("63207.2")
    assert prizes.dividends == {1: 8759880, 2: 1586620, 3: 60870, 4: 9600, 5: 640, 6: 320, 7: 40}
    assert prizes.unit_price == 10


def test_snowball_draw_keeps_its_name_and_code() -> None:
    record = next(r for r in hkjc.lottery_draws(RESULTS) if r["no"] == 96)
    prizes = hkjc.parse_prizes(record, hkjc.parse_result(record))
    assert prizes.snowball_code == "ANN"
    assert prizes.snowball_name == "六合彩50週年金多寶（第二期）"
    assert prizes.first_prize_fund == 228_000_000


def test_the_draw_on_sale_becomes_an_announced_next_draw() -> None:
    records = hkjc.lottery_draws(NEXT_DRAW)
    assert [hkjc.is_result(record) for record in records] == [True, False]
    upcoming = hkjc.parse_announcement(records[1])
    assert upcoming.draw_id == "26/097"
    assert upcoming.date == dt.date(2026, 9, 8)
    assert (upcoming.jackpot, upcoming.estimated_first_prize, upcoming.announced) == (0, 8_000_000, True)


def test_a_record_with_impossible_numbers_names_every_problem() -> None:
    record = json.loads(json.dumps(hkjc.lottery_draws(RESULTS)[0]))
    record["drawResult"] = {"drawnNo": [9, 9, 26, 30, 33, 50], "xDrawnNo": 26}
    problems = hkjc.result_problems(record)
    assert any("out of 1-49: 50" in problem for problem in problems)
    assert any("repeated numbers: 9" in problem for problem in problems)
    assert any("extra number 26 is also a drawn number" in problem for problem in problems)
    with pytest.raises(DataError, match="draw 26/096: "):
        hkjc.parse_result(record)


def test_the_draw_id_comes_from_year_and_number_not_hkjcs_own_id() -> None:
    assert hkjc.record_draw_id({"id": "20251N", "year": "2025", "no": 1}) == "25/001"
    assert hkjc.record_draw_id({"id": "2002053N", "year": "2002", "no": 53}) == "02/053"
    with pytest.raises(DataError, match="year/no"):
        hkjc.record_draw_id({"id": "x"})


# -- the client --------------------------------------------------------------


def client_for(handler: Any) -> hkjc.HkjcClient:
    return hkjc.HkjcClient(transport=httpx.MockTransport(handler), retries=0)


def test_the_request_is_the_documented_marksixResult_operation() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RESULTS)

    with client_for(handler) as client:
        records = client.results(dt.date(2026, 8, 11), dt.date(2026, 9, 30))
    assert len(records) == 10
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://info.cld.hkjc.com/graphql/base/"
    assert request.headers["Origin"] == "https://bet.hkjc.com"
    assert request.headers["Referer"] == "https://bet.hkjc.com/"
    body = json.loads(request.content)
    assert body["operationName"] == "marksixResult"
    assert body["variables"] == {
        "lastNDraw": None,
        "startDate": "20260811",
        "endDate": "20260930",
        "drawType": "All",
    }
    assert "query marksixResult(" in body["query"]
    assert "lotteryDraws(lastNDraw: $lastNDraw" in body["query"]


def test_the_next_draw_request_is_marksixDraw_without_variables() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert (body["operationName"], body["variables"]) == ("marksixDraw", {})
        assert "query marksixDraw {" in body["query"]
        return httpx.Response(200, json=NEXT_DRAW)

    with client_for(handler) as client:
        assert len(client.latest_and_next()) == 2


def test_base_url_points_the_client_elsewhere() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == "http://mirror.test/graphql/"
        return httpx.Response(200, json={"data": {"lotteryDraws": []}})

    client = hkjc.HkjcClient(base_url="http://mirror.test/graphql/", transport=httpx.MockTransport(handler))
    assert client.results(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == []


def raising(error: Exception) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno -3] Temporary failure in name resolution"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_no_answer_is_a_network_error(error: Exception) -> None:
    with client_for(raising(error)) as client, pytest.raises(NetworkError) as caught:
        client.results(dt.date(2026, 8, 11), dt.date(2026, 9, 30))
    assert "\n" not in str(caught.value)
    assert "HKJC" in str(caught.value)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(503, text="Service Unavailable"), RetryableApiError),
        (httpx.Response(502, text="Bad Gateway"), RetryableApiError),
        (httpx.Response(200, text="<html>Access denied</html>"), RetryableApiError),
        (httpx.Response(400, text="bad request"), PermanentApiError),
        (httpx.Response(403, text="forbidden"), PermanentApiError),
        (httpx.Response(200, json={"data": {"somethingElse": []}}), PermanentApiError),
    ],
)
def test_http_failures_are_classified(response: httpx.Response, expected: type[Exception]) -> None:
    with client_for(lambda request: response) as client, pytest.raises(expected) as caught:
        client.results(dt.date(2026, 8, 11), dt.date(2026, 9, 30))
    assert isinstance(caught.value, expected)


def test_throttling_carries_retry_after() -> None:
    response = httpx.Response(429, headers={"Retry-After": "30"}, text="slow down")
    with client_for(lambda request: response) as client, pytest.raises(RateLimited) as caught:
        client.latest_and_next()
    assert caught.value.retry_after == 30.0
    assert caught.value.status == 429


def test_graphql_errors_are_permanent_and_quote_the_message() -> None:
    body = fixture("graphql_error.json")
    with (
        client_for(lambda request: httpx.Response(200, json=body)) as client,
        pytest.raises(PermanentApiError, match="Cannot query field"),
    ):
        client.results(dt.date(2026, 8, 11), dt.date(2026, 9, 30))


# -- windows -----------------------------------------------------------------


def test_quarter_windows_follow_calendar_quarters() -> None:
    windows = list(hkjc.quarter_windows(dt.date(2026, 1, 3), dt.date(2026, 9, 6)))
    assert windows == [
        (dt.date(2026, 1, 3), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 6)),
    ]
    assert list(hkjc.quarter_windows(dt.date(2025, 12, 1), dt.date(2026, 1, 2))) == [
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 2)),
    ]
    assert list(hkjc.quarter_windows(dt.date(2026, 9, 7), dt.date(2026, 9, 6))) == []


@given(
    st.dates(min_value=dt.date(1993, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(min_value=0, max_value=2000),
)
def test_quarter_windows_cover_the_range_without_gaps(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    windows = list(hkjc.quarter_windows(start, end))
    assert windows[0][0] == start
    assert windows[-1][1] == end
    for (_, previous_end), (next_start, _) in itertools.pairwise(windows):
        assert next_start == previous_end + dt.timedelta(days=1)
    for first, last in windows:
        assert first <= last
        assert (first.year, (first.month - 1) // 3) == (last.year, (last.month - 1) // 3)


def test_transient_failures_are_retried_with_backoff() -> None:
    answers = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, json=RESULTS),
    ]
    waits: list[float] = []
    client = hkjc.HkjcClient(
        transport=httpx.MockTransport(lambda request: answers.pop(0)), sleep=waits.append
    )
    assert len(client.results(dt.date(2026, 8, 11), dt.date(2026, 9, 30))) == 10
    assert waits == [1.0, 7.0]


def test_retries_give_up_after_the_last_attempt_and_on_long_waits() -> None:
    waits: list[float] = []
    client = hkjc.HkjcClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(502)), retries=2, sleep=waits.append
    )
    with pytest.raises(RetryableApiError):
        client.latest_and_next()
    assert waits == [1.0, 2.0]
    throttled = httpx.Response(429, headers={"Retry-After": "3600"})
    client = hkjc.HkjcClient(transport=httpx.MockTransport(lambda request: throttled), sleep=waits.append)
    with pytest.raises(RateLimited):
        client.latest_and_next()
    assert waits == [1.0, 2.0]


def test_being_offline_is_not_retried() -> None:
    calls: list[httpx.Request] = []

    def offline(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("network is unreachable")

    client = hkjc.HkjcClient(transport=httpx.MockTransport(offline), sleep=lambda seconds: None)
    with pytest.raises(NetworkError):
        client.latest_and_next()
    assert len(calls) == 1


@pytest.mark.parametrize(
    "prizes",
    [
        [{"type": 9, "winningUnit": 0, "dividend": "0"}],
        [{"winningUnit": 0}],
        [{"type": 1, "dividend": "lots"}],
    ],
)
def test_unreadable_prize_tiers_are_data_errors(prizes: list[dict[str, Any]]) -> None:
    record = json.loads(json.dumps(hkjc.lottery_draws(RESULTS)[0]))
    record["lotteryPool"]["lotteryPrizes"] = prizes
    with pytest.raises(DataError, match="draw 26/096: "):
        hkjc.parse_prizes(record, hkjc.parse_result(record))
