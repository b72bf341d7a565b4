"""What an attack run found, kept mended: signed junk, oversized bodies, headers, secrets.

Each test here is one thing an attacker tried against the sandbox on loopback.
The app is the real one (sandbox, real lifespan, SQLite), without a worker, so
what a request leaves behind is exactly what the route did.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from marksix.config import Settings, load_settings
from marksix.instagram.webhooks import MAX_COMMENT_CHARS, sign
from marksix.store.comments import CommentKey
from marksix.web.app import create_app
from marksix.web.guards import DEFAULT_MAX_BYTES, SECURITY_HEADERS, WEBHOOK_MAX_BYTES
from marksix.web.runtime import Runtime, ServeOptions

APP_SECRET = "attack-app-secret-5f1e"
VERIFY_TOKEN = "attack-verify-token-77a2"
REPLY_SECRET = "attack-reply-secret-c0d3"
ADMIN_PASSWORD = "attack-admin-password-9b1"
SESSION_SECRET = "attack-session-secret-0123456789abcdef"
SECRETS = (APP_SECRET, VERIFY_TOKEN, REPLY_SECRET, ADMIN_PASSWORD, SESSION_SECRET)
ACCOUNT = "17841400000000001"  # the simulator's account
WEBHOOK = "/webhooks/instagram"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        home=tmp_path / "home",
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        reply_secret=REPLY_SECRET,
        admin_password=ADMIN_PASSWORD,
        session_secret=SESSION_SECRET,
        _env_file=None,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    # Cheap argon2 parameters: the tests check the flow, not the hash's cost.
    app.state.marksix_password_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with TestClient(app) as test_client:
        yield test_client


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def change(comment_id: str, text: str = "俾組號碼我", **value: Any) -> dict[str, Any]:
    return {
        "field": "comments",
        "value": {"id": comment_id, "text": text, "from": {"id": "232323", "username": "someone"}, **value},
    }


def batch(*changes: Any, time: Any = 1755779280, account: Any = ACCOUNT) -> bytes:
    entry = {"id": account, "time": time, "changes": list(changes)}
    return json.dumps({"object": "instagram", "entry": [entry]}).encode()


def post(client: TestClient, body: bytes) -> Any:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)}
    return client.post(WEBHOOK, content=body, headers=headers)


def stored(client: TestClient, comment_id: str) -> Any:
    return runtime_of(client).comments.find(CommentKey(ACCOUNT, comment_id))


# --- one bad change never sinks the batch ------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(change("1002", "\ud800 lone surrogate"), id="lone-surrogate-text"),
        pytest.param(change("1002", "nul \x00 inside"), id="nul-in-text"),
        pytest.param({"field": "comments", "value": "not an object"}, id="value-not-object"),
        pytest.param({"field": "comments", "value": [1, 2]}, id="value-a-list"),
        pytest.param(change("9" * 100_000), id="huge-id"),
        pytest.param(change("\ud800"), id="surrogate-id"),
        pytest.param(change("1002", from_={"id": "\ud800"}), id="surrogate-author"),
        pytest.param("just a string", id="change-not-object"),
        pytest.param(change("1002", text=["not", "text"]), id="text-a-list"),
    ],
)
def test_a_bad_change_is_recorded_and_its_neighbours_are_stored(client: TestClient, bad: Any) -> None:
    body = batch(change("1001"), bad, change("1003"))
    with capture_logs() as logs:
        response = post(client, body)
    assert response.status_code == 200
    assert stored(client, "1001") is not None
    assert stored(client, "1003") is not None
    answer = response.json()
    if answer["received"] == 2:  # the bad one was refused, with its reason
        assert answer["rejected"][0]["where"] == "entry[0].changes[1]"
        assert any(entry["event"] == "webhook.change_rejected" for entry in logs)
    else:  # or it was readable once cleaned (text), and stored too
        assert answer["received"] == 3


@pytest.mark.parametrize("time", [1e300, 10**400, -1, "1e999", float("nan"), [1], {"a": 1}, True])
def test_any_entry_time_is_accepted(client: TestClient, time: Any) -> None:
    body = json.dumps({"object": "instagram", "entry": [{"id": ACCOUNT, "time": time, "changes": []}]})
    if isinstance(time, int) and not isinstance(time, bool) and time > 10**300:
        body = body.replace(json.dumps(time), "1" + "0" * 400)
    payload = json.loads(body.replace("NaN", "1e300")) if "NaN" in body else json.loads(body)
    payload["entry"][0]["changes"] = [change("2001")]
    raw = json.dumps(payload).encode()
    response = post(client, raw)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert stored(client, "2001") is not None


def test_comment_text_is_capped_at_instagrams_limit(client: TestClient) -> None:
    assert post(client, batch(change("3001", "六" * 100_000))).status_code == 200
    record = stored(client, "3001")
    assert record is not None and len(record.text) == MAX_COMMENT_CHARS


def test_lone_surrogate_text_is_stored_readably(client: TestClient) -> None:
    assert post(client, batch(change("3002", "好\ud800運"))).status_code == 200
    record = stored(client, "3002")
    assert record is not None and record.text.startswith("好") and record.text.endswith("運")
    record.text.encode("utf-8")


@pytest.mark.parametrize("depth", [990, 5_000, 100_000])
def test_deep_json_is_a_clear_400_never_a_500(client: TestClient, depth: int) -> None:
    body = b'{"object": "instagram", "entry": [' + b"[" * depth + b"]" * depth + b"]}"
    response = post(client, body)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "malformed" in response.json()["error"]


def test_a_batch_of_entries_with_a_bad_entry_keeps_the_good_ones(client: TestClient) -> None:
    payload = {
        "object": "instagram",
        "entry": [
            "not an entry",
            {"time": 1, "changes": [change("4001")]},  # no id
            {"id": ACCOUNT, "changes": {"not": "a list"}},
            {"id": ACCOUNT, "time": 1755779280, "changes": [change("4002")]},
        ],
    }
    response = post(client, json.dumps(payload).encode())
    assert response.status_code == 200
    assert response.json()["received"] == 1
    assert [bad["where"] for bad in response.json()["rejected"]] == [
        "entry[0]",
        "entry[1]",
        "entry[2].changes",
    ]
    assert stored(client, "4002") is not None


def test_a_large_batch_is_stored_whole(client: TestClient) -> None:
    body = batch(*(change(str(5000 + number)) for number in range(120)))
    response = post(client, body)
    assert response.json() == {"received": 120, "new": 120}
    assert stored(client, "5119") is not None


# --- body limits -------------------------------------------------------------------------------
def test_an_oversized_webhook_is_refused_before_the_signature_check(client: TestClient) -> None:
    body = b"x" * (WEBHOOK_MAX_BYTES + 1)
    with capture_logs() as logs:
        response = client.post(WEBHOOK, content=body, headers={"X-Hub-Signature-256": "sha256=00"})
    assert response.status_code == 413
    assert "limit" in response.json()["error"]
    assert not any(entry["event"] == "webhook.bad_signature" for entry in logs)


def test_an_oversized_body_without_a_length_is_cut_off_too(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(DEFAULT_MAX_BYTES // 65536 + 2):
            yield b"y" * 65536

    response = client.post("/sandbox/api/comments", content=chunks())
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/dashboard/login", "/sandbox/api/comments", "/dashboard/api/preview"])
def test_other_routes_refuse_more_than_a_megabyte(client: TestClient, path: str) -> None:
    response = client.post(path, content=b"z" * (DEFAULT_MAX_BYTES + 1))
    assert response.status_code == 413


def test_a_body_within_the_limit_still_arrives(client: TestClient) -> None:
    body = batch(change("6001", "x" * 2000))
    assert len(body) < WEBHOOK_MAX_BYTES
    assert post(client, body).status_code == 200


# --- security headers on every response --------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/"),
        ("GET", "/dashboard/login"),
        ("GET", "/dashboard/api/summary"),
        ("GET", "/no/such/page"),
        ("POST", WEBHOOK),
        ("GET", WEBHOOK),
        ("GET", "/static/sandbox.js"),
    ],
)
def test_security_headers_are_on_every_response(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, follow_redirects=False)
    for header, value in SECURITY_HEADERS.items():
        assert response.headers.get(header) == value, (path, header)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_413_carries_the_headers_too(client: TestClient) -> None:
    response = client.post(WEBHOOK, content=b"x" * (WEBHOOK_MAX_BYTES + 1))
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- nothing secret leaks ----------------------------------------------------------------------
def test_nothing_secret_in_healthz_metrics_or_the_whole_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        seen = [client.get("/healthz").text, client.get("/metrics").text]
        post(client, batch(change("7001")))
        client.post(WEBHOOK, content=b"{}", headers={"X-Hub-Signature-256": "sha256=bad"})
        client.get(
            WEBHOOK, params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}
        )
        client.get(
            WEBHOOK, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
        )
        login = client.get("/dashboard/login")
        token = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/dashboard/login", data={"password": "wrong password!", "csrf_token": token})
        client.post("/dashboard/login", data={"password": ADMIN_PASSWORD, "csrf_token": token})
        seen.append(client.get("/dashboard/").text)
        seen.append(client.get("/healthz").text)
    seen.append(json.dumps(logs, default=str))
    # The test client's own request lines carry the handshake's query: that is the caller, not us.
    seen.extend(
        record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))
    )
    whole = "\n".join(seen)
    for secret in SECRETS:
        assert secret not in whole, f"a secret leaked: {secret[:8]}…"
