"""Injected faults, throttling and usage headers, seen through GraphClient."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from marksix.errors import (
    ApiError,
    NetworkError,
    PermanentApiError,
    PolicyBlocked,
    RateLimited,
    RetryableApiError,
    TokenExpired,
)
from marksix.sandbox import Fault

from .conftest import Sandbox, SandboxFactory


def inject(sandbox: Sandbox, **fault: Any) -> None:
    with httpx.Client() as http:
        response = http.post(f"{sandbox.url}/sandbox/api/faults", json=fault)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("fault", "expected", "code", "subcode"),
    [
        ({"kind": "server_error", "status": 502}, RetryableApiError, None, None),
        ({"kind": "unknown_error"}, RetryableApiError, 1, None),
        ({"kind": "service_unavailable"}, RetryableApiError, 2, None),
        ({"kind": "instagram_server_error"}, RetryableApiError, -1, 2207001),
        ({"kind": "throttle", "code": 4}, RateLimited, 4, None),
        ({"kind": "throttle", "code": 17}, RateLimited, 17, None),
        ({"kind": "throttle", "code": 32}, RateLimited, 32, None),
        ({"kind": "throttle", "code": 613}, RateLimited, 613, None),
        ({"kind": "throttle", "code": 80002}, RateLimited, 80002, None),
        ({"kind": "http_429"}, RateLimited, None, None),
        ({"kind": "token_expired"}, TokenExpired, 190, 463),
        ({"kind": "token_invalid"}, TokenExpired, 190, 467),
        ({"kind": "policy_block"}, PolicyBlocked, 368, None),
        ({"kind": "action_block"}, PolicyBlocked, 4, 2207051),
        ({"kind": "duplicate_post"}, PermanentApiError, 506, None),
        ({"kind": "permission_denied"}, PermanentApiError, 10, None),
    ],
)
def test_each_fault_is_classified(
    sandbox: Sandbox, fault: dict[str, Any], expected: type[ApiError], code: int | None, subcode: int | None
) -> None:
    comment_id = sandbox.comment()
    inject(sandbox, **fault)
    with sandbox.client() as client:
        with pytest.raises(expected) as caught:
            client.reply(comment_id, "hi")
        assert (caught.value.code, caught.value.subcode) == (code, subcode)
        client.reply(comment_id, "hi")  # used up after one call
    assert len(sandbox.simulator.state.reply_records()) == 1


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
def test_throttles_tell_when_access_returns(sandbox: Sandbox, code: int) -> None:
    inject(sandbox, kind="throttle", code=code, retry_after_minutes=3)
    with sandbox.client() as client:
        with pytest.raises(RateLimited) as caught:
            client.me()
        assert caught.value.retry_after == 180
        assert client.usage.throttled and client.usage.regain_access_minutes == 3


def test_http_429_uses_retry_after(sandbox: Sandbox) -> None:
    inject(sandbox, kind="http_429", retry_after_minutes=0.5)
    with sandbox.client() as client, pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.retry_after == 30


def test_a_5xx_storm_then_recovery(sandbox: Sandbox) -> None:
    inject(sandbox, kind="server_error", status=503, count=3, path="replies")
    comment_id = sandbox.comment()
    outcomes: list[str] = []
    with sandbox.client() as client:
        assert client.me()["username"]  # other paths are not affected
        for _ in range(4):
            try:
                client.reply(comment_id, "hi")
                outcomes.append("ok")
            except RetryableApiError as error:
                outcomes.append(str(error.status))
    assert outcomes == ["503", "503", "503", "ok"]


def test_sticky_token_expiry_until_cleared(sandbox: Sandbox) -> None:
    inject(sandbox, kind="token_expired", count=None)
    with sandbox.client() as client:
        for _ in range(3):
            with pytest.raises(TokenExpired):
                client.me()
        with httpx.Client() as http:
            assert http.delete(f"{sandbox.url}/sandbox/api/faults").json() == []
        assert client.me()["username"]


def test_fault_filters_by_method(sandbox: Sandbox) -> None:
    inject(sandbox, kind="policy_block", method="post")
    comment_id = sandbox.comment()
    with sandbox.client() as client:
        client.get_comment(comment_id)
        with pytest.raises(PolicyBlocked):
            client.reply(comment_id, "hi")


def test_timeout_has_no_effect(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    inject(sandbox, kind="timeout", seconds=5)
    with sandbox.client(timeout=0.3) as client, pytest.raises(NetworkError, match="outcome is unknown"):
        client.reply(comment_id, "hi")
    assert sandbox.simulator.state.reply_records() == []


def test_response_lost_after_the_reply_was_posted(sandbox: Sandbox) -> None:
    """The case that posted one reply four times elsewhere: look before retrying."""
    comment_id = sandbox.comment()
    inject(sandbox, kind="response_lost", seconds=5, path="replies", method="POST")
    with sandbox.client(timeout=0.3) as client:
        with pytest.raises(NetworkError):
            client.reply(comment_id, "你嘅號碼")
        [ours] = client.list_replies(comment_id)
    assert ours["text"] == "你嘅號碼"
    assert ours["from"]["id"] == sandbox.simulator.state.account.id


def test_latency_fault_slows_only_matching_calls(sandbox: Sandbox) -> None:
    inject(sandbox, kind="latency", latency_ms=2000, path="me")
    with sandbox.client(timeout=0.3) as client:
        client.list_media(sandbox.simulator.state.account.id)
        with pytest.raises(NetworkError):
            client.me()


def test_usage_level_slows_then_throttles(sandbox: Sandbox) -> None:
    inject(sandbox, kind="usage", percent=85)
    with sandbox.client() as client:
        client.me()
        assert client.usage.should_slow_down() and not client.usage.throttled
        inject(sandbox, kind="usage", percent=100, retry_after_minutes=4)
        with pytest.raises(RateLimited) as caught:
            client.me()
        assert (caught.value.code, caught.value.retry_after) == (80002, 240)


def test_call_budget_throttles_with_code_80002(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(calls_per_window=4, window_seconds=600, subscribe=False)
    with sandbox.client() as client:
        percents = []
        for _ in range(3):
            client.me()
            percents.append(client.usage.max_percent)
        assert percents == [25, 50, 75]
        client.me()
        assert client.usage.max_percent == 100
        with pytest.raises(RateLimited) as caught:
            client.me()
    assert caught.value.code == 80002
    assert caught.value.retry_after is not None and 60 <= caught.value.retry_after <= 600


def test_usage_headers_on_every_answer(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        client.me()
        [item] = client.usage.business
    assert item.business_id == sandbox.simulator.state.account.id and item.type == "instagram"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"kind": "meteor"}, "unknown fault kind"),
        ({"kind": "throttle", "code": 999}, "throttle code"),
        ({"kind": "timeout", "count": 0}, "count must be"),
        ({"kind": "timeout", "colour": "red"}, "unknown fault field"),
    ],
)
def test_fault_api_names_bad_requests(sandbox: Sandbox, body: dict[str, Any], problem: str) -> None:
    with httpx.Client() as http:
        response = http.post(f"{sandbox.url}/sandbox/api/faults", json=body)
    assert response.status_code == 400
    assert problem in response.json()["error"]


def test_faults_are_listed_and_consumed_in_order(sandbox: Sandbox) -> None:
    simulator = sandbox.simulator
    simulator.add_fault(Fault(kind="unknown_error"))
    simulator.add_fault(Fault(kind="policy_block"))
    with httpx.Client() as http:
        listed = http.get(f"{sandbox.url}/sandbox/api/faults").json()
    assert [fault["kind"] for fault in listed] == ["unknown_error", "policy_block"]
    with sandbox.client() as client:
        with pytest.raises(RetryableApiError):
            client.me()
        with pytest.raises(PolicyBlocked):
            client.me()
        client.me()


def test_response_lost_without_a_client_timeout_is_a_504(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    inject(sandbox, kind="response_lost", seconds=0)
    with sandbox.client() as client:
        with pytest.raises(RetryableApiError) as caught:
            client.reply(comment_id, "hi")
        assert caught.value.status == 504
        assert len(client.list_replies(comment_id)) == 1
