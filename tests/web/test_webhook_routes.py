"""The webhook routes through FastAPI's TestClient, with the app's real lifespan.

The worker is off (worker_threads=0), so what a request leaves behind is
exactly what the route did: a stored comment and a queued task, never a
Graph API call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from marksix.config import Settings, load_settings
from marksix.instagram.webhooks import CommentEvent, parse_webhook_batch, sign
from marksix.store.comments import CommentKey
from marksix.web.app import create_app
from marksix.web.runtime import Runtime, ServeOptions
from marksix.worker.service import utc_now

SECRETS = ("first-app-secret", "instagram-app-secret")
VERIFY_TOKEN = "meatyhamhock"
ACCOUNT = "17841400000000001"  # the simulator's account


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        home=tmp_path / "home", app_secret=",".join(SECRETS), verify_token=VERIFY_TOKEN, _env_file=None
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app) as test_client:
        yield test_client


def _events(body: bytes) -> list[CommentEvent]:
    return parse_webhook_batch(json.loads(body)).events


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def comment_body(comment_id: str = "17919697626119712", **value: Any) -> bytes:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": ACCOUNT,
                "time": 1755779280,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": comment_id,
                            "text": "俾組號碼我",
                            "from": {"id": "232323232", "username": "someone"},
                            "media": {"id": "18172143295349192", "media_product_type": "FEED"},
                            **value,
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def post(client: TestClient, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhooks/instagram", content=body, headers=headers)


# --- the handshake -----------------------------------------------------------------------
def test_handshake_echoes_the_challenge_as_plain_text(client: TestClient) -> None:
    response = client.get(
        "/webhooks/instagram",
        params={"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN},
    )
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN},
        {"hub.challenge": "1158201444"},
        {},
    ],
)
def test_handshake_with_a_wrong_token_or_mode_gets_403(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/webhooks/instagram", params=params)
    assert response.status_code == 403
    assert "1158201444" not in response.text


# --- signatures ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        sign(b"another body", SECRETS[0]),
        sign(comment_body(), "not-our-secret"),
    ],
    ids=["missing", "empty", "no-digest", "zeros", "sha1-only", "other-body", "other-secret"],
)
def test_bad_or_missing_signature_gets_403_and_stores_nothing(
    client: TestClient, signature: str | None
) -> None:
    with capture_logs() as logs:
        response = post(client, comment_body(), signature)
    assert response.status_code == 403
    assert "X-Hub-Signature-256" in response.json()["error"]
    assert runtime_of(client).comments.counts_by_state().get("queued", 0) == 0
    assert [entry["event"] for entry in logs if entry["log_level"] == "warning"] == ["webhook.bad_signature"]


def test_a_signature_by_any_configured_secret_is_accepted(client: TestClient) -> None:
    for number, secret in enumerate(SECRETS):
        body = comment_body(f"1791000000000000{number}")
        assert post(client, body, sign(body, secret)).status_code == 200


def test_the_signature_is_checked_over_the_raw_bytes(client: TestClient) -> None:
    """Meta signs its escaped-unicode encoding; re-serialising the JSON would break the match."""
    body = json.dumps(json.loads(comment_body()), ensure_ascii=True).encode()
    assert b"\\u" in body
    assert post(client, body, sign(body, SECRETS[0])).status_code == 200
    reencoded = json.dumps(json.loads(body), ensure_ascii=False).encode()
    assert post(client, reencoded, sign(body, SECRETS[0])).status_code == 403


# --- storing and queueing ------------------------------------------------------------------------
def test_a_valid_comment_is_stored_queued_and_acknowledged_without_a_graph_call(client: TestClient) -> None:
    runtime = runtime_of(client)
    body = comment_body()
    response = post(client, body, sign(body, SECRETS[0]))
    assert response.status_code == 200
    assert response.json() == {"received": 1, "new": 1}
    record = runtime.comments.get(CommentKey(ACCOUNT, "17919697626119712"))
    assert record.state == "queued"
    assert record.username == "someone"
    assert record.text == "俾組號碼我"
    # With the SQLite queue the row is the queue: one commit, no task in queue.sqlite3.
    assert runtime.tasks.table_queue
    assert runtime.huey.pending_count() == 0
    assert runtime.simulator is not None
    assert runtime.simulator.state.reply_records() == []  # nothing was sent from the request
    claimed = runtime.comments.claim_next(now=utc_now(), lease=timedelta(minutes=1))
    assert claimed is not None and claimed.record.comment_id == "17919697626119712"  # a worker takes it


def test_deliveries_in_one_group_share_a_commit_and_count_once(client: TestClient) -> None:
    runtime = runtime_of(client)
    first, again, other = comment_body("1791001"), comment_body("1791001"), comment_body("1791002")
    deliveries = [_events(first), _events(again), _events(other)]
    assert runtime.accept_deliveries(deliveries) == [1, 0, 1]
    assert runtime.comments.counts_by_state()["queued"] == 2


def test_a_duplicate_delivery_is_acknowledged_but_not_queued_again(client: TestClient) -> None:
    runtime = runtime_of(client)
    body = comment_body()
    assert post(client, body, sign(body, SECRETS[0])).json() == {"received": 1, "new": 1}
    pending = runtime.huey.pending_count()
    assert post(client, body, sign(body, SECRETS[0])).json() == {"received": 1, "new": 0}
    assert runtime.huey.pending_count() == pending
    lease = timedelta(minutes=1)
    assert runtime.comments.claim_next(now=utc_now(), lease=lease) is not None  # queued once:
    assert runtime.comments.claim_next(now=utc_now(), lease=lease) is None  # nothing left


def test_a_store_outage_gets_503_and_the_redelivery_is_stored(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    runtime = runtime_of(client)
    body = comment_body()

    def database_restarting(events: object) -> list[bool]:
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    with monkeypatch.context() as patch:
        patch.setattr(runtime.tasks, "accept", database_restarting)
        patch.setattr(runtime.tasks, "accept_now", database_restarting)  # the loop's path, too
        with capture_logs() as logs:
            refused = post(client, body, sign(body, SECRETS[0]))
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert "deliver again" in refused.json()["error"]
    assert any(entry["event"] == "webhook.store_unavailable" for entry in logs)
    # Meta delivers the same body again once the database is back: stored once.
    assert post(client, body, sign(body, SECRETS[0])).json() == {"received": 1, "new": 1}
    assert runtime.comments.get(CommentKey(ACCOUNT, "17919697626119712")).state == "queued"


def test_documented_payload_variants_are_all_stored(client: TestClient) -> None:
    """The flat Business-Login example, `comment_id` for `id`, live comments, and a batch."""
    runtime = runtime_of(client)
    flat = {
        "object": "instagram",
        "entry": [{"id": ACCOUNT, "time": 1, "field": "comments", "value": {"id": "1791001", "text": "hi"}}],
    }
    comment_id_named = {
        "object": "instagram",
        "entry": [
            {
                "id": ACCOUNT,
                "time": 1,
                "changes": [{"field": "comments", "value": {"comment_id": "1791002", "text": "hello"}}],
            }
        ],
    }
    batch = {
        "object": "instagram",
        "entry": [
            {
                "id": ACCOUNT,
                "time": 1755779280000,  # milliseconds
                "changes": [
                    {"field": "live_comments", "value": {"id": "1791003", "text": "live!"}},
                    {"field": "comments", "value": {"id": "1791004", "text": "two", "parent_id": "1791001"}},
                    {"field": "mentions", "value": {"media_id": "1"}},
                ],
            }
        ],
    }
    for payload in (flat, comment_id_named, batch):
        body = json.dumps(payload).encode()
        assert post(client, body, sign(body, SECRETS[1])).status_code == 200
    stored = {
        comment_id: runtime.comments.find(CommentKey(ACCOUNT, comment_id))
        for comment_id in ("1791001", "1791002", "1791003", "1791004")
    }
    assert all(record is not None for record in stored.values())
    assert stored["1791003"] is not None and stored["1791003"].field == "live_comments"
    assert stored["1791004"] is not None and stored["1791004"].parent_id == "1791001"


def test_a_signed_but_malformed_body_gets_400_naming_the_problem(client: TestClient) -> None:
    for body, problem in ((b"{not json", "malformed"), (b'{"object": "instagram"}', "entry")):
        response = post(client, body, sign(body, SECRETS[0]))
        assert response.status_code == 400
        assert problem in response.json()["error"]


def test_other_objects_are_acknowledged_and_ignored(client: TestClient) -> None:
    body = json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "changes": []}]}).encode()
    response = post(client, body, sign(body, SECRETS[0]))
    assert response.status_code == 200
    assert response.json() == {"received": 0, "new": 0}


# --- health and metrics -------------------------------------------------------------------------
def test_healthz_reports_database_queue_and_a_blocked_accounts_alert(client: TestClient) -> None:
    runtime = runtime_of(client)
    body = comment_body()
    post(client, body, sign(body, SECRETS[0]))
    health = client.get("/healthz")
    assert health.status_code == 200
    report = health.json()
    assert report["database"]["ok"] is True
    assert report["queue"]["depth"] == 1
    assert report["mode"] == "sandbox"
    assert [account["status"] for account in report["accounts"]] == ["active"]

    from marksix.worker.service import utc_now

    runtime.accounts.block(ACCOUNT, "Instagram blocked replies (code 368)", now=utc_now())
    report = client.get("/healthz").json()
    assert report["status"] == "degraded"
    assert report["accounts"][0]["status"] == "blocked"
    assert report["accounts"][0]["alert"] == "Instagram blocked replies (code 368)"
    assert any("code 368" in alert for alert in report["alerts"])


def test_metrics_expose_comment_counts_and_queue_depth(client: TestClient) -> None:
    body = comment_body()
    post(client, body, sign(body, SECRETS[0]))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "marksix_comments_received_total",
        "marksix_replies_sent",
        "marksix_reply_failures",
        "marksix_reply_latency_seconds_bucket",
        'marksix_comments{state="queued"} 1.0',
    ):
        assert name in text
