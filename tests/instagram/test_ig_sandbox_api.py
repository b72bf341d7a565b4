"""The sandbox JSON API, in process through Starlette's TestClient (with its lifespan)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from marksix.sandbox import DEFAULT_TOKEN, Simulator, SimulatorState, create_simulator_app
from marksix.sandbox.payloads import dashboard_test_change

from .conftest import APP_SECRET, Receiver


@pytest.fixture
def app(receiver: Receiver) -> Starlette:
    state = SimulatorState(username="hk.marksix")
    state.subscribe(state.account.id, ["comments", "live_comments"])  # accounts start unsubscribed
    return create_simulator_app(
        state,
        app_secret=APP_SECRET,
        webhook_url="http://receiver.test/hook",
        latency_ms=0,
        webhook_transport=receiver.transport(),
    )


@pytest.fixture
def http(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def simulator_of(app: Starlette) -> Simulator:
    simulator: Simulator = app.state.simulator
    return simulator


def test_account(http: TestClient, app: Starlette) -> None:
    account = http.get("/sandbox/api/account").json()
    state = simulator_of(app).state
    assert account == {"id": state.account.id, "username": "hk.marksix", "media_id": state.latest_media().id}


def test_comment_creates_and_notifies(http: TestClient, app: Starlette, receiver: Receiver) -> None:
    created = http.post("/sandbox/api/comments", json={"username": "alice", "text": "下期幸運號碼？"})
    assert created.status_code == 201
    comment_id = created.json()["id"]
    assert simulator_of(app).sender.wait_idle(10)
    [event] = receiver.events()
    assert (event.comment_id, event.from_username, event.text) == (comment_id, "alice", "下期幸運號碼？")
    [listed] = http.get("/sandbox/api/comments").json()
    assert listed["id"] == comment_id


def test_own_username_makes_an_own_comment(http: TestClient, app: Starlette, receiver: Receiver) -> None:
    http.post("/sandbox/api/comments", json={"username": "hk.marksix", "text": "歡迎留言"})
    assert simulator_of(app).sender.wait_idle(10)
    [event] = receiver.events()
    assert event.is_own() and event.from_id == event.account_id


def test_replies_through_the_graph_api_are_listed(
    http: TestClient, app: Starlette, receiver: Receiver
) -> None:
    comment_id = http.post("/sandbox/api/comments", json={"username": "bob", "text": "hi"}).json()["id"]
    answer = http.post(
        f"/simulated-graph/v23.0/{comment_id}/replies",
        data={"message": "多謝 18+"},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    )
    assert answer.status_code == 200
    assert http.get("/sandbox/api/replies").json() == [
        {"comment_id": comment_id, "reply_id": answer.json()["id"], "text": "多謝 18+"}
    ]
    assert simulator_of(app).sender.wait_idle(10)
    own = [event for event in receiver.events() if event.comment_id == answer.json()["id"]]
    assert own and own[0].is_own()


def test_reply_thread_and_media_choice(http: TestClient) -> None:
    media = http.post("/sandbox/api/media", json={"caption": "Reel", "media_product_type": "REELS"}).json()
    top = http.post(
        "/sandbox/api/comments", json={"username": "a", "text": "q", "media_id": media["id"]}
    ).json()
    nested = http.post(
        "/sandbox/api/comments",
        json={"username": "b", "text": "+1", "media_id": media["id"], "parent_id": top["id"]},
    ).json()
    comments = {item["id"]: item for item in http.get("/sandbox/api/comments").json()}
    assert comments[nested["id"]]["parent_id"] == top["id"]
    assert comments[top["id"]]["media_id"] == media["id"]
    assert http.get("/sandbox/api/account").json()["media_id"] == media["id"]  # the newest post


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"text": "hi"}, 400, "'username' is required"),
        ({"username": "a"}, 400, "'text' is required"),
        ({"username": "a", "text": "  "}, 400, "'text' is required"),
        ({"username": "a", "text": "hi", "media_id": "404"}, 404, "no media"),
        ({"username": "a", "text": "hi", "parent_id": "404"}, 404, "no comment"),
        ({"username": "a", "text": "hi", "shape": "weird"}, 400, "shape must be"),
        ({"username": "a", "text": "x" * 2201}, 400, "at most 2200"),
    ],
)
def test_bad_comments_name_the_problem(
    http: TestClient, body: dict[str, str], status: int, problem: str
) -> None:
    response = http.post("/sandbox/api/comments", json=body)
    assert response.status_code == status
    assert problem in response.json()["error"]


def test_non_json_bodies_are_refused(http: TestClient) -> None:
    assert http.post("/sandbox/api/comments", content=b"not json").status_code == 400
    assert http.post("/sandbox/api/comments", json=[1, 2]).status_code == 400
    assert http.post("/sandbox/api/comments").status_code == 400


def test_state_deliveries_test_webhook_and_reset(
    http: TestClient, app: Starlette, receiver: Receiver
) -> None:
    http.post("/sandbox/api/comments", json={"username": "a", "text": "hi"})
    assert http.post("/sandbox/api/webhooks/test", json={"field": "comments"}).status_code == 202
    assert simulator_of(app).sender.wait_idle(10)
    assert any(event.is_dashboard_test for event in receiver.events())
    state = http.get("/sandbox/api/state").json()
    assert {
        "accounts",
        "media",
        "comments",
        "replies",
        "private_replies",
        "faults",
        "deliveries",
        "webhooks",
    } <= set(state)
    assert len(http.get("/sandbox/api/deliveries").json()) == 2
    http.post("/sandbox/api/faults", json={"kind": "policy_block"})
    assert http.post("/sandbox/api/reset").json() == {"reset": True}
    after = http.get("/sandbox/api/state").json()
    assert after["comments"] == [] and after["faults"] == [] and len(after["media"]) == 1


def test_lifespan_stops_the_sender(app: Starlette) -> None:
    sender = simulator_of(app).sender
    with TestClient(app) as client:
        client.post("/sandbox/api/comments", json={"username": "a", "text": "hi"})
        assert sender.running
    assert not sender.running
    assert sender.submit(dashboard_test_change()) is False


def test_standalone_command_help_teaches() -> None:
    from click.testing import CliRunner

    from marksix.sandbox.__main__ import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "--webhook-url" in result.output


def test_verify_handshake_against_the_service() -> None:
    from marksix.instagram.webhooks import verification_response

    def service(request: httpx.Request) -> httpx.Response:
        challenge = verification_response(dict(request.url.params), "right-token")
        return httpx.Response(200, text=challenge) if challenge else httpx.Response(403)

    app = create_simulator_app(
        app_secret=APP_SECRET,
        webhook_url="http://service.test/webhooks/instagram",
        webhook_transport=httpx.MockTransport(service),
    )
    with TestClient(app) as http:
        good = http.post("/sandbox/api/webhooks/verify", json={"verify_token": "right-token"}).json()
        bad = http.post("/sandbox/api/webhooks/verify", json={"verify_token": "wrong"}).json()
        missing = http.post("/sandbox/api/webhooks/verify", json={})
    assert good["ok"] and good["answer"] == good["challenge"]
    assert (bad["ok"], bad["status"]) == (False, 403)
    assert missing.status_code == 400


def test_unsubscribed_accounts_get_no_webhooks(http: TestClient, app: Starlette, receiver: Receiver) -> None:
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    account_id = http.get("/sandbox/api/account").json()["id"]
    assert http.delete(f"/simulated-graph/v23.0/{account_id}/subscribed_apps", headers=auth).json() == {
        "success": True
    }
    http.post("/sandbox/api/comments", json={"username": "a", "text": "lost"})
    http.post(
        "/simulated-graph/v23.0/me/subscribed_apps", data={"subscribed_fields": "comments"}, headers=auth
    )
    http.post("/sandbox/api/comments", json={"username": "a", "text": "seen"})
    assert simulator_of(app).sender.wait_idle(10)
    assert [event.text for event in receiver.events()] == ["seen"]
    assert http.get("/sandbox/api/state").json()["webhooks"]["unsubscribed_skips"] == 1


def test_ids_never_repeat_after_a_restart() -> None:
    now = [1_795_000_000.0]
    first = SimulatorState(clock=lambda: now[0])
    earlier = {first.post_comment("a", f"c{n}", notify=False).id for n in range(50)}
    now[0] += 5  # the sandbox restarts a few seconds later
    second = SimulatorState(clock=lambda: now[0])
    later = {second.post_comment("a", f"c{n}", notify=False).id for n in range(50)}
    assert not earlier & later
    assert all(len(comment_id) == 17 and comment_id.isdigit() for comment_id in earlier | later)
    assert first.user_id("Alice") == second.user_id("alice")  # a commenter keeps their IGSID
