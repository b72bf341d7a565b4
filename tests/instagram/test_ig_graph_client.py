"""GraphClient against httpx.MockTransport: requests, parsing, errors, secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from marksix.errors import (
    NetworkError,
    PermanentApiError,
    PolicyBlocked,
    RateLimited,
    RetryableApiError,
    TokenExpired,
)
from marksix.instagram.graph import GraphClient, appsecret_proof

TOKEN = "EAAtoken-very-secret"
Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, **kwargs: Any) -> GraphClient:
    return GraphClient(TOKEN, transport=httpx.MockTransport(handler), **kwargs)


def form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def test_reply_posts_message_with_bearer_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "17873440459141021"})

    with client_for(handler) as client:
        assert client.reply("17870913679156914", "多謝！ 18+") == "17873440459141021"
    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == "https://graph.instagram.com/v23.0/17870913679156914/replies"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert form(request) == {"message": "多謝！ 18+"}
    assert TOKEN not in str(request.url)


def test_host_version_and_base_url_are_configurable() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200, json={"success": True})

    with client_for(handler, host="graph.facebook.com", api_version="v25.0") as client:
        client.hide("c1")
    with client_for(handler, base_url="http://127.0.0.1:9/simulated-graph/", api_version="v26.0") as client:
        client.hide("c2", hidden=False)
    assert urls[0].startswith("https://graph.facebook.com/v25.0/c1")
    assert urls[1].startswith("http://127.0.0.1:9/simulated-graph/v26.0/c2")


def test_hide_sends_the_flag() -> None:
    forms: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        forms.append(form(request))
        return httpx.Response(200, json={"success": True})

    with client_for(handler) as client:
        client.hide("c1")
        client.hide("c1", hidden=False)
    assert forms == [{"hide": "true"}, {"hide": "false"}]


def test_private_reply_uses_recipient_comment_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v23.0/1784/messages"
        assert json.loads(request.content) == {"recipient": {"comment_id": "c9"}, "message": {"text": "hi"}}
        return httpx.Response(200, json={"recipient_id": "526", "message_id": "aWdfZ"})

    with client_for(handler) as client:
        assert client.private_reply("1784", "c9", "hi") == "aWdfZ"


def test_reads_follow_cursors_until_no_next() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "access_token" not in request.url.params
        after = request.url.params.get("after")
        if after is None:
            assert request.url.params["fields"].startswith("id,text")
            page = {
                "data": [{"id": "r1"}],
                "paging": {"cursors": {"after": "A"}, "next": f"{request.url}&after=A&access_token={TOKEN}"},
            }
            return httpx.Response(200, json=page)
        if after == "A":  # an empty page that still has a next link
            return httpx.Response(
                200,
                json={"data": [], "paging": {"next": f"{request.url.copy_remove_param('after')}&after=B"}},
            )
        return httpx.Response(200, json={"data": [{"id": "r2"}], "paging": {"cursors": {"before": "B"}}})

    with client_for(handler) as client:
        assert [item["id"] for item in client.list_replies("c1")] == ["r1", "r2"]


def test_list_comments_media_and_me() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/comments"):
            assert request.url.params["limit"] == "50"
            return httpx.Response(200, json={"data": [{"id": str(i)} for i in range(3)]})
        if path.endswith("/media"):
            return httpx.Response(200, json={"data": [{"id": "m1"}, {"id": "m2"}]})
        if path.endswith("/me"):
            return httpx.Response(200, json={"user_id": "1784", "username": "shop", "id": "99"})
        return httpx.Response(200, json={"id": "c1", "text": "hello", "hidden": False})

    with client_for(handler) as client:
        assert len(client.list_comments("m1", limit=80)) == 3
        assert [m["id"] for m in client.list_media("1784", limit=1)] == ["m1"]
        assert client.me()["user_id"] == "1784"
        assert client.get_comment("c1")["text"] == "hello"


def test_publish_image_creates_then_publishes() -> None:
    calls: list[str] = []
    statuses = iter(["IN_PROGRESS", "FINISHED"])

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/content_publishing_limit"):
            return httpx.Response(200, json={"data": [{"quota_usage": 3, "config": {"quota_total": 100}}]})
        if request.url.path.endswith("/media"):
            assert form(request) == {"image_url": "https://example.invalid/card.png", "caption": "下期"}
            return httpx.Response(200, json={"id": "container1"})
        if request.url.path.endswith("/container1"):
            return httpx.Response(200, json={"status_code": next(statuses), "id": "container1"})
        assert form(request) == {"creation_id": "container1"}
        return httpx.Response(200, json={"id": "media1"})

    sleeps: list[float] = []
    with client_for(handler, sleep=sleeps.append) as client:
        assert client.publish_image("1784", "https://example.invalid/card.png", "下期") == "media1"
    assert calls == [
        "GET /v23.0/1784/content_publishing_limit",
        "POST /v23.0/1784/media",
        "GET /v23.0/container1",
        "GET /v23.0/container1",
        "POST /v23.0/1784/media_publish",
    ]
    assert sleeps == [0.5]


def test_publish_image_refuses_a_failed_container() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"id": "c"})
        if request.url.path.endswith("/content_publishing_limit"):
            return httpx.Response(200, json={"data": [{"quota_usage": 0, "config": {"quota_total": 100}}]})
        return httpx.Response(200, json={"status_code": "ERROR"})

    with client_for(handler) as client, pytest.raises(PermanentApiError, match="ERROR"):
        client.publish_image("1", "https://example.invalid/x.png", "c")


def test_publish_image_waits_on_a_missing_status_and_stops_at_the_limit() -> None:
    """A container without status_code is not ready; a full 24-hour quota creates no container."""
    quota = {"used": 0}
    statuses = iter([None, "FINISHED"])
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/content_publishing_limit"):
            usage = {"quota_usage": quota["used"], "config": {"quota_total": 100}}
            return httpx.Response(200, json={"data": [usage]})
        if request.url.path.endswith("/media_publish") or request.url.path.endswith("/media"):
            return httpx.Response(200, json={"id": "c1"})
        status = next(statuses)
        return httpx.Response(200, json={"id": "c1"} | ({"status_code": status} if status else {}))

    sleeps: list[float] = []
    with client_for(handler, sleep=sleeps.append) as client:
        assert client.publish_image("1", "https://example.invalid/x.jpg", "c") == "c1"
        assert sleeps == [0.5]
        quota["used"] = 100
        calls.clear()
        with pytest.raises(RateLimited, match="100 posts"):
            client.publish_image("1", "https://example.invalid/x.jpg", "c")
    assert calls == ["GET /v23.0/1/content_publishing_limit"]


def graph_error(
    status: int, code: int, subcode: int | None = None, headers: dict[str, str] | None = None
) -> Handler:
    error: dict[str, Any] = {"message": f"(#{code}) failure", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return lambda request: httpx.Response(status, json={"error": error}, headers=headers)


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (graph_error(400, 100), PermanentApiError),
        (graph_error(400, 190, 463), TokenExpired),
        (graph_error(400, 368), PolicyBlocked),
        (graph_error(400, 4, 2207051), PolicyBlocked),
        (graph_error(400, 80002), RateLimited),
        (graph_error(500, 2), RetryableApiError),
        (lambda request: httpx.Response(502, text="<html>"), RetryableApiError),
        (lambda request: httpx.Response(200, text="not json"), RetryableApiError),
        (lambda request: httpx.Response(200, json={"no": "id"}), PermanentApiError),
    ],
)
def test_errors_are_classified(handler: Handler, expected: type[Exception]) -> None:
    with client_for(handler) as client, pytest.raises(expected) as caught:
        client.reply("c1", "x")
    assert TOKEN not in str(caught.value)


def test_rate_limit_carries_retry_after_and_usage_is_recorded() -> None:
    usage = {"1784": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 2}]}
    handler = graph_error(400, 80002, headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
    with client_for(handler) as client:
        with pytest.raises(RateLimited) as caught:
            client.reply("c1", "x")
        assert caught.value.retry_after == 120
        assert client.usage.throttled


def test_usage_updates_from_successful_responses() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "r"}, headers={"x-app-usage": '{"call_count": 85}'})

    with client_for(handler) as client:
        assert client.usage.max_percent == 0
        client.reply("c", "x")
        assert client.usage.max_percent == 85 and client.usage.should_slow_down()


def test_timeout_and_connection_errors_become_network_errors() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out reading {request.url}", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {TOKEN}", request=request)

    with client_for(timeout) as client, pytest.raises(NetworkError, match="outcome is unknown"):
        client.reply("c1", "x")
    with client_for(refused) as client, pytest.raises(NetworkError) as caught:
        client.reply("c1", "x")
    assert TOKEN not in str(caught.value)


def test_appsecret_proof_is_added_when_configured() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["appsecret_proof"] == appsecret_proof(TOKEN, "s3")
        return httpx.Response(200, json={"id": "r"})

    with client_for(handler, app_secret="s3") as client:
        client.reply("c", "x")


def test_token_is_not_in_repr_and_is_required() -> None:
    with client_for(lambda request: httpx.Response(200)) as client:
        assert TOKEN not in repr(client)
    with pytest.raises(ValueError, match="access token"):
        GraphClient("")


def test_subscribe_and_refresh() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/refresh_access_token":
            assert request.url.params["grant_type"] == "ig_refresh_token"
            return httpx.Response(
                200, json={"access_token": "new", "token_type": "bearer", "expires_in": 5183944}
            )
        assert form(request) == {"subscribed_fields": "comments,live_comments"}
        return httpx.Response(200, json={"success": True})

    with client_for(handler) as client:
        assert client.subscribe("1784")
        assert client.refresh_access_token()["expires_in"] == 5183944
