"""The simulator keeps what it knows in a file, and the fault API refuses ill-typed faults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from marksix.instagram.graph import GraphClient
from marksix.sandbox import DEFAULT_TOKEN, Simulator, SimulatorState, create_simulator_app
from marksix.sandbox.persist import StateFile, decode, encode

from .conftest import APP_SECRET


def simulator_app(state_file: Path) -> Any:
    return create_simulator_app(
        app_secret=APP_SECRET, webhook_url=None, latency_ms=0, state_file=state_file, save_every=0.1
    )


def graph(http: TestClient, token: str = DEFAULT_TOKEN) -> GraphClient:
    transport = httpx.MockTransport(
        lambda request: _forward(http, request)  # the TestClient is the app, in process
    )
    return GraphClient(token, base_url="http://simulator.test/simulated-graph", transport=transport)


def _forward(http: TestClient, request: httpx.Request) -> httpx.Response:
    answer = http.request(
        request.method, request.url.raw_path.decode(), headers=request.headers, content=request.read()
    )
    return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def test_a_comment_posted_before_a_restart_can_be_replied_to_after_it(tmp_path: Path) -> None:
    state_file = tmp_path / "simulator-state.json"
    with TestClient(simulator_app(state_file)) as http:
        comment_id = http.post("/sandbox/api/comments", json={"username": "fan", "text": "下期？"}).json()[
            "id"
        ]
        second = http.post("/sandbox/api/accounts", json={"username": "second.shop"}).json()
        http.post(
            "/simulated-graph/v23.0/me/subscribed_apps",
            params={"subscribed_fields": "comments"},
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        )
    assert state_file.exists()  # saved at shutdown

    with TestClient(simulator_app(state_file)) as http:
        reply_id = graph(http).reply(comment_id, "多謝留言！")
        state = http.get("/sandbox/api/state").json()
        # A second restart's ids never collide with the first run's.
        later = http.post("/sandbox/api/comments", json={"username": "fan2", "text": "再嚟"}).json()["id"]
        with graph(http, second["access_token"]) as client:
            assert client.me()["user_id"] == second["id"]
    assert http.app.state.simulator.state.replies_of(comment_id)[0].id == reply_id
    assert {account["username"] for account in state["accounts"]} == {"marksix.sandbox", "second.shop"}
    subscribed = {account["username"]: account["subscribed_fields"] for account in state["accounts"]}
    assert subscribed["marksix.sandbox"] == ["comments"]
    assert later not in {comment["id"] for comment in state["comments"]}
    assert int(later[4:]) > max(int(comment["id"][4:]) for comment in state["comments"])


def test_the_state_is_saved_while_running_not_only_at_shutdown(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    simulator = Simulator(app_secret=APP_SECRET, webhook_url=None, state_file=state_file, save_every=0.05)
    try:
        comment = simulator.post_comment("fan", "lucky numbers please")
        assert simulator.persistence is not None
        simulator.persistence.save()
        saved = json.loads(state_file.read_text())
        assert comment.id in saved["parts"]["state"]["comments"]["~dict"]
        # A process killed now (no close) starts again with the comment.
        again = SimulatorState()
        StateFile(state_file).track("state", again)
        assert again.comments[comment.id].text == "lucky numbers please"
        assert again.next_id >= simulator.state.next_id
    finally:
        simulator.close()


def test_an_unreadable_state_file_is_kept_aside_and_the_simulator_starts_fresh(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text("{not json")
    simulator = Simulator(app_secret=APP_SECRET, webhook_url=None, state_file=state_file)
    simulator.close()
    assert (tmp_path / "state.json.bad").read_text() == "{not json"
    assert len(simulator.state.accounts) == 1
    assert json.loads(state_file.read_text())["format"] == 1


@dataclass
class DeliveryHealth:
    """The kind of state another module adds: a plain dataclass in a container."""

    failures: int = 0
    since: float | None = None
    accounts: frozenset[str] = frozenset()


@dataclass
class HealthBook:
    by_url: dict[str, DeliveryHealth] = field(default_factory=dict)
    limit: int = 3  # a scalar: configuration, not kept


def test_new_state_in_another_module_is_kept_with_one_track_call(tmp_path: Path) -> None:
    # Only dataclasses from marksix.sandbox modules are rebuilt; pretend this one is.
    DeliveryHealth.__module__ = HealthBook.__module__ = "marksix.sandbox.persist"
    import marksix.sandbox.persist as persist

    persist.DeliveryHealth = DeliveryHealth  # type: ignore[attr-defined]
    persist.HealthBook = HealthBook  # type: ignore[attr-defined]
    try:
        book = HealthBook(limit=9)
        book.by_url["http://a"] = DeliveryHealth(2, 1.5, frozenset({"1"}))
        first = StateFile(tmp_path / "s.json")
        first.track("health", book)
        first.save()
        restored = HealthBook()
        assert StateFile(tmp_path / "s.json").track("health", restored)
        assert restored.by_url == {"http://a": DeliveryHealth(2, 1.5, frozenset({"1"}))}
        assert restored.limit == 3
    finally:
        del persist.DeliveryHealth  # type: ignore[attr-defined]
        del persist.HealthBook  # type: ignore[attr-defined]


def test_a_state_file_cannot_name_classes_outside_the_simulator() -> None:
    with pytest.raises(ValueError, match="outside the simulator"):
        decode({"~dataclass": "subprocess:Popen", "fields": {}})
    assert decode(encode({"a": (1, 2), 3: {4}})) == {"a": (1, 2), 3: {4}}


# --- the fault API validates its input -------------------------------------------------------

BAD_FAULTS = [
    ({"kind": "throttle", "retry_after_minutes": "soon"}, "retry_after_minutes"),
    ({"kind": "http_429", "retry_after_minutes": -1}, "retry_after_minutes"),
    ({"kind": "server_error", "status": "500"}, "status"),
    ({"kind": "server_error", "status": 200}, "status"),
    ({"kind": "latency", "latency_ms": [1]}, "latency_ms"),
    ({"kind": "timeout", "seconds": 1e308 * 10}, "seconds"),
    ({"kind": "timeout", "seconds": True}, "seconds"),
    ({"kind": "throttle", "code": "4"}, "code"),
    ({"kind": "throttle", "code": 5}, "code"),
    ({"kind": "usage", "percent": {"a": 1}}, "percent"),
    ({"kind": "unknown_error", "method": 7}, "method"),
    ({"kind": "unknown_error", "method": "PATCH"}, "method"),
    ({"kind": "unknown_error", "path": ["replies"]}, "path"),
    ({"kind": "policy_block", "account_id": {"id": 1}}, "account_id"),
    ({"kind": "unknown_error", "count": 0}, "count"),
    ({"kind": "unknown_error", "count": 1.5}, "count"),
    ({"kind": ["throttle"]}, "kind"),
    ({"kind": "unknown_error", "id": 3}, "id"),
]


@pytest.mark.parametrize(("fault", "field_name"), BAD_FAULTS)
def test_ill_typed_faults_are_refused_naming_the_field_and_break_nothing(
    fault: dict[str, Any], field_name: str
) -> None:
    app = create_simulator_app(app_secret=APP_SECRET, webhook_url=None, latency_ms=0)
    with TestClient(app) as http:
        comment_id = http.post("/sandbox/api/comments", json={"username": "a", "text": "hi"}).json()["id"]
        answer = http.post("/sandbox/api/faults", content=json.dumps(fault, allow_nan=True))
        assert answer.status_code == 400
        assert field_name in answer.json()["error"]
        assert http.get("/sandbox/api/faults").json() == []
        with graph(http) as client:  # later Graph calls are untouched
            assert client.reply(comment_id, "still works")
            assert client.me()["username"] == "marksix.sandbox"


def test_a_fault_aimed_at_one_account_spares_the_others() -> None:
    app = create_simulator_app(app_secret=APP_SECRET, webhook_url=None, latency_ms=0)
    with TestClient(app) as http:
        other = http.post("/sandbox/api/accounts", json={"username": "other.shop"}).json()
        ours = http.post("/sandbox/api/comments", json={"username": "a", "text": "hi"}).json()["id"]
        theirs = http.post(
            "/sandbox/api/comments", json={"username": "b", "text": "hi", "media_id": other["media_id"]}
        ).json()["id"]
        added = http.post(
            "/sandbox/api/faults", json={"kind": "policy_block", "count": None, "account_id": other["id"]}
        )
        assert added.status_code == 201 and added.json()["account_id"] == other["id"]
        with graph(http) as client:
            client.reply(ours, "fine")
        from marksix.errors import PolicyBlocked

        with graph(http, other["access_token"]) as client, pytest.raises(PolicyBlocked):
            client.reply(theirs, "blocked")
        assert http.post("/sandbox/api/accounts", json={"username": "other.shop"}).status_code == 400
