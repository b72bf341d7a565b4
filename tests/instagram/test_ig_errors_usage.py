"""Error classification (every code in the platform notes) and usage headers."""

from __future__ import annotations

import json

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
from marksix.instagram.errors import GraphErrorBody, classify, failure_class, is_retryable, redact
from marksix.instagram.usage import EMPTY_USAGE, parse_usage


def body(
    code: int | None, subcode: int | None = None, *, transient: bool | None = None, **extra: object
) -> dict[str, object]:
    error: dict[str, object] = {"message": f"error {code}", "type": "OAuthException", "fbtrace_id": "Ab1"}
    if code is not None:
        error["code"] = code
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error.update(extra)
    return {"error": error}


CASES: list[tuple[int, int | None, int, type[ApiError]]] = [
    # (code, subcode, HTTP status, expected class)
    (1, None, 500, RetryableApiError),
    (2, None, 503, RetryableApiError),
    (-1, 2207001, 500, RetryableApiError),
    (-2, 2207003, 500, RetryableApiError),
    (3, None, 400, PermanentApiError),
    (4, None, 400, RateLimited),
    (4, 2207051, 400, PolicyBlocked),
    (10, None, 403, PermanentApiError),
    (17, None, 400, RateLimited),
    (17, 2446079, 400, RateLimited),
    (25, 2207050, 400, PermanentApiError),
    (32, None, 400, RateLimited),
    (100, None, 400, PermanentApiError),
    (102, None, 400, TokenExpired),
    (190, None, 400, TokenExpired),
    (190, 458, 400, TokenExpired),
    (190, 459, 400, TokenExpired),
    (190, 460, 400, TokenExpired),
    (190, 463, 400, TokenExpired),
    (190, 464, 400, TokenExpired),
    (190, 467, 400, TokenExpired),
    (190, 492, 400, TokenExpired),
    (200, None, 403, PermanentApiError),
    (230, None, 403, PermanentApiError),
    (299, None, 403, PermanentApiError),
    (341, None, 400, RateLimited),
    (368, None, 400, PolicyBlocked),
    (506, None, 400, PermanentApiError),
    (613, None, 400, RateLimited),
    (613, 1996, 400, RateLimited),
    (36004, 2207010, 400, PermanentApiError),
    (80001, None, 400, RateLimited),
    (80002, None, 400, RateLimited),
    (80006, None, 400, RateLimited),
    (1609005, None, 400, PermanentApiError),
]


@pytest.mark.parametrize(("code", "subcode", "status", "expected"), CASES)
def test_classification_table(code: int, subcode: int | None, status: int, expected: type[ApiError]) -> None:
    error = classify(status, body(code, subcode))
    assert type(error) is expected
    assert (error.code, error.subcode, error.status) == (code, subcode, status)
    assert "fbtrace_id Ab1" in str(error)


def test_http_status_does_not_decide_when_the_code_is_known() -> None:
    assert isinstance(classify(500, body(100)), PermanentApiError)
    assert isinstance(classify(200, body(4)), RateLimited)


def test_is_transient_makes_an_unknown_code_retryable() -> None:
    assert isinstance(classify(400, body(24, 2207008, transient=True)), RetryableApiError)
    assert isinstance(classify(400, body(24, 2207008, transient=False)), PermanentApiError)


def test_statuses_without_a_graph_body() -> None:
    assert isinstance(classify(502, b"<html>Bad gateway</html>"), RetryableApiError)
    assert isinstance(classify(503, b""), RetryableApiError)
    assert isinstance(classify(429, b""), RateLimited)
    assert isinstance(classify(401, b""), TokenExpired)
    assert isinstance(classify(404, b"not found"), PermanentApiError)


def test_oauth_exception_without_code_means_login_needed() -> None:
    assert isinstance(
        classify(400, {"error": {"message": "Session", "type": "OAuthException"}}), TokenExpired
    )


def test_instagram_oauth_endpoint_shape() -> None:
    raw = {"error_type": "OAuthException", "code": 400, "error_message": "Matching code was not found"}
    error = classify(400, json.dumps(raw))
    assert isinstance(error, PermanentApiError)
    assert "Matching code was not found" in str(error)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
def test_throttles_carry_estimated_time_to_regain_access(code: int) -> None:
    usage = {
        "1784": [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 5,
                "total_time": 9,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    error = classify(400, body(code), {"X-Business-Use-Case-Usage": json.dumps(usage)})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7 * 60


def test_throttle_falls_back_to_retry_after_header() -> None:
    error = classify(429, b"", {"retry-after": "12"})
    assert isinstance(error, RateLimited) and error.retry_after == 12
    plain = classify(400, body(4))
    assert isinstance(plain, RateLimited) and plain.retry_after is None


def test_tokens_never_reach_messages() -> None:
    message = {"error": {"message": "bad url https://x/?access_token=EAAsecret&x=1", "code": 100}}
    error = classify(400, message, secrets=("EAAsecret",))
    assert "EAAsecret" not in str(error)
    assert "access_token=***" in str(error)
    assert redact("token SECRETVALUE here", "SECRETVALUE") == "token *** here"


def test_failure_class_and_retryability() -> None:
    expected = {
        TokenExpired: "token_expired",
        PolicyBlocked: "policy_blocked",
        RateLimited: "throttled",
        NetworkError: "network",
        RetryableApiError: "retryable",
        PermanentApiError: "permanent",
    }
    for kind, name in expected.items():
        error = kind("x")
        assert failure_class(error) == name
        assert is_retryable(error) == (name in {"throttled", "network", "retryable"})
    assert failure_class(ValueError()) == "unexpected"


def test_error_body_parsing_is_defensive() -> None:
    assert GraphErrorBody.from_body(b"\xff\xfe") == GraphErrorBody(message="\ufffd\ufffd")
    assert GraphErrorBody.from_body({"error": "text"}) == GraphErrorBody()
    parsed = GraphErrorBody.from_body(
        {"error": {"code": "190", "error_subcode": "463", "is_transient": True}}
    )
    assert (parsed.code, parsed.subcode, parsed.is_transient) == (190, 463, True)


# --- usage headers -----------------------------------------------------------------
def test_app_usage_header() -> None:
    usage = parse_usage({"x-app-usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'})
    assert usage.app == {"call_count": 28, "total_time": 25, "total_cputime": 25}
    assert usage.max_percent == 28
    assert not usage.throttled and not usage.should_slow_down()


def test_business_use_case_header_from_the_docs() -> None:
    raw = (
        '{"17841400000000000":[{"type":"instagram","call_count":41,"total_cputime":2,"total_time":4,'
        '"estimated_time_to_regain_access":0}]}'
    )
    usage = parse_usage({"X-Business-Use-Case-Usage": raw})
    [item] = usage.business
    assert (item.business_id, item.type, item.call_count, item.max_percent) == (
        "17841400000000000",
        "instagram",
        41,
        41,
    )
    assert usage.retry_after is None
    assert usage.for_account("17841400000000000") == (item,)
    assert usage.should_slow_down(threshold=40) and not usage.should_slow_down(threshold=80)


def test_business_usage_with_many_objects_takes_the_worst() -> None:
    raw = json.dumps(
        {
            "1": [{"type": "instagram", "call_count": 10}, {"type": "pages", "total_time": 95}],
            "2": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 3}],
        }
    )
    usage = parse_usage({"X-Business-Use-Case-Usage": raw, "X-App-Usage": '{"call_count": 5}'})
    assert usage.max_percent == 100
    assert usage.throttled
    assert usage.retry_after == 180
    assert usage.to_json()["max_percent"] == 100


@pytest.mark.parametrize(
    "raw", ["", "not json", "[]", '{"1": "x"}', '{"1": [1, null]}', '{"call_count": "n/a"}']
)
def test_garbled_usage_headers_count_as_empty(raw: str) -> None:
    usage = parse_usage({"X-App-Usage": raw, "X-Business-Use-Case-Usage": raw})
    assert usage.max_percent == 0 and not usage.throttled


def test_empty_usage() -> None:
    assert EMPTY_USAGE.max_percent == 0 and EMPTY_USAGE.retry_after is None
