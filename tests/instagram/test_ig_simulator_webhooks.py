"""The webhook sender: Meta's headers, envelope, batching, retries and scenarios."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from marksix.instagram.webhooks import parse_webhook
from marksix.sandbox import RETRY_DELAYS, BackgroundServer, Fault, Simulator, SimulatorState
from marksix.sandbox.payloads import dashboard_test_change

from .conftest import APP_SECRET, Receiver, receiver_app

SimulatorFactory = Callable[..., Simulator]
FAST = (0.0, 0.01, 0.02)  # three retries, quickly


@pytest.fixture
def make_simulator(receiver: Receiver) -> Iterator[SimulatorFactory]:
    made: list[Simulator] = []

    def make(**options: Any) -> Simulator:
        options.setdefault("webhook_transport", receiver.transport())
        options.setdefault("retry_delays", FAST)
        simulator = Simulator(app_secret=APP_SECRET, webhook_url="http://receiver.test/hook", **options)
        # Accounts start unsubscribed, as on Instagram; these tests are about delivery.
        simulator.state.subscribe(simulator.state.account.id, ["comments", "live_comments"])
        made.append(simulator)
        return simulator

    yield make
    for simulator in made:
        simulator.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def idle(simulator: Simulator) -> None:
    assert simulator.sender.wait_idle(10), simulator.sender.stats()


def test_delivery_is_signed_like_meta(make_simulator: SimulatorFactory, receiver: Receiver) -> None:
    simulator = make_simulator()
    comment = simulator.post_comment("陳大文", "六合彩下期開咩？ äöå")
    idle(simulator)
    [item] = receiver.received
    assert item.signed
    assert item.headers["content-type"] == "application/json"
    assert item.headers["x-hub-signature"].startswith("sha1=")
    assert b"\\u516d\\u5408\\u5f69" in item.body and b"\\u00e4\\u00f6\\u00e5" in item.body  # escaped unicode
    payload = item.payload
    assert payload["object"] == "instagram"
    [entry] = payload["entry"]
    assert entry["id"] == simulator.state.account.id and isinstance(entry["time"], int)
    assert entry["time"] < 10_000_000_000  # seconds, not milliseconds
    [change] = entry["changes"]
    assert change["field"] == "comments"
    assert change["value"] == {
        "from": {"id": simulator.state.user_id("陳大文"), "username": "陳大文"},
        "media": {"id": comment.media_id, "media_product_type": "FEED"},
        "id": comment.id,
        "text": "六合彩下期開咩？ äöå",
    }


def test_updates_waiting_together_are_batched_per_account(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    simulator = make_simulator(batch_window=0.3)
    state = simulator.state
    second = state.add_account("second.shop", "token-2")
    state.subscribe(second.id, ["comments"])
    state.add_media(second.id, "another post")
    ids = [simulator.post_comment(f"user{n}", f"comment {n}").id for n in range(3)]
    other = simulator.post_comment("fan", "hi", media_id=state.latest_media(second.id).id).id
    idle(simulator)
    [item] = receiver.received
    entries = item.payload["entry"]
    assert [entry["id"] for entry in entries] == [state.account.id, second.id]
    assert [len(entry["changes"]) for entry in entries] == [3, 1]
    assert [event.comment_id for event in item.events] == [*ids, other]


def test_retries_until_the_receiver_answers_200(make_simulator: SimulatorFactory, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    simulator = make_simulator()
    simulator.post_comment("alice", "hi")
    idle(simulator)
    assert [len(r.body) > 0 for r in receiver.received] == [True, True, True]
    [delivery] = simulator.sender.deliveries()
    assert delivery["state"] == "delivered"
    assert [attempt["status"] for attempt in delivery["attempts"]] == [500, 503, 200]
    assert all(item.signed for item in receiver.received)
    assert len({event.comment_id for event in receiver.events()}) == 1


def test_gives_up_after_the_schedule(make_simulator: SimulatorFactory, receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    simulator = make_simulator()
    simulator.post_comment("alice", "hi")
    idle(simulator)
    [delivery] = simulator.sender.deliveries()
    assert delivery["state"] == "gave_up"
    assert len(delivery["attempts"]) == 1 + len(FAST)


def test_connection_failures_and_timeouts_are_retried(make_simulator: SimulatorFactory) -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append("x")
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200)

    simulator = make_simulator(webhook_transport=httpx.MockTransport(flaky))
    simulator.post_comment("alice", "hi")
    idle(simulator)
    [delivery] = simulator.sender.deliveries()
    assert [bool(attempt["error"]) for attempt in delivery["attempts"]] == [True, True, False]


def test_default_schedule_is_immediate_then_decreasing_over_36_hours() -> None:
    assert RETRY_DELAYS[0] == 0
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert sum(RETRY_DELAYS) == 36 * 3600


def test_own_api_replies_come_back_as_self_comments(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    simulator = make_simulator()
    state = simulator.state
    comment = simulator.post_comment("alice", "hi")
    reply = state.reply(state.account, comment.id, "多謝！")
    own_post = simulator.post_comment(state.account.username, "self comment")
    idle(simulator)
    events = {event.comment_id: event for event in receiver.events()}
    assert not events[comment.id].is_own()
    for own in (events[reply.id], events[own_post.id]):
        assert own.from_id == own.account_id == state.account.id
        assert own.self_ig_scoped_id == state.account.app_scoped_id
        assert own.is_own()
    assert events[reply.id].parent_id == comment.id


def test_live_and_ad_comments(make_simulator: SimulatorFactory, receiver: Receiver) -> None:
    simulator = make_simulator()
    state = simulator.state
    live = state.add_media(state.account.id, "live", media_product_type="LIVE")
    ad = state.add_media(state.account.id, "ad", media_product_type="AD", ad_title="Promo")
    live_comment = simulator.post_comment("v", "live!", media_id=live.id)
    ad_comment = simulator.post_comment("w", "ad?", media_id=ad.id)
    idle(simulator)
    events = receiver.events()
    live_events = [e for e in events if e.comment_id == live_comment.id]
    ad_events = [e for e in events if e.comment_id == ad_comment.id]
    assert [e.field for e in live_events] == ["live_comments"] and live_events[0].is_live
    assert len(ad_events) == 2  # "This may result in duplicate webhook notifications"
    assert ad_events[0].ad_id == ad.ad_id and ad_events[0].ad_title == "Promo"


@pytest.mark.parametrize("shape", ["changes", "flat", "comment_id"])
def test_documented_shapes_parse_to_the_same_event(
    make_simulator: SimulatorFactory, receiver: Receiver, shape: str
) -> None:
    simulator = make_simulator()
    comment = simulator.post_comment("alice", "hi", shape=shape)
    idle(simulator)
    [item] = receiver.received
    entry = item.payload["entry"][0]
    assert ("changes" in entry) == (shape != "flat")
    [event] = item.events
    assert (event.comment_id, event.text, event.from_username) == (comment.id, "hi", "alice")


def test_scenario_faults_drop_duplicate_and_reorder(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    simulator = make_simulator()
    simulator.add_fault(Fault(kind="webhook_drop"))
    dropped = simulator.post_comment("a", "never notified")
    idle(simulator)
    simulator.add_fault(Fault(kind="webhook_duplicate"))
    twice = simulator.post_comment("b", "twice")
    idle(simulator)
    simulator.add_fault(Fault(kind="webhook_delay", seconds=0.5))
    late = simulator.post_comment("c", "late")
    wait_until(lambda: simulator.sender.stats()["waiting_for_retry"] == 1)
    early = simulator.post_comment("d", "early")
    idle(simulator)
    order = [event.comment_id for event in receiver.events()]
    assert dropped.id not in order
    assert order.count(twice.id) == 2
    assert order.index(early.id) < order.index(late.id)
    states = [delivery["state"] for delivery in simulator.sender.deliveries()]
    assert states.count("dropped") == 1


def test_dashboard_test_sample(make_simulator: SimulatorFactory, receiver: Receiver) -> None:
    simulator = make_simulator()
    simulator.sender.submit(dashboard_test_change("live_comments"))
    idle(simulator)
    [event] = receiver.events()
    assert event.is_dashboard_test and event.is_own() and event.is_live and event.parent_id is None


def test_no_webhook_url_records_without_sending(receiver: Receiver) -> None:
    simulator = Simulator(app_secret=APP_SECRET, webhook_url=None, webhook_transport=receiver.transport())
    simulator.state.subscribe(simulator.state.account.id, ["comments"])
    try:
        simulator.post_comment("alice", "hi")
        idle(simulator)
        assert receiver.received == []
        assert [d["state"] for d in simulator.sender.deliveries()] == ["no_url"]
    finally:
        simulator.close()


def test_stop_abandons_pending_retries_and_refuses_new_work(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    simulator = make_simulator(retry_delays=(3600.0,))
    simulator.post_comment("alice", "hi")
    assert not simulator.sender.wait_idle(0.3)
    simulator.close()
    assert simulator.sender.wait_idle(0)
    assert [d["state"] for d in simulator.sender.deliveries()] == ["abandoned"]
    assert simulator.sender.submit(dashboard_test_change()) is False


def test_end_to_end_over_loopback(receiver: Receiver) -> None:
    """Signed deliveries over real sockets, from a simulator served by uvicorn."""
    from marksix.sandbox import create_simulator_app

    with BackgroundServer(receiver_app(receiver)) as hook:
        state = SimulatorState()
        state.subscribe(state.account.id, ["comments"])
        app = create_simulator_app(state, app_secret=APP_SECRET, webhook_url=f"{hook.url}/hook")
        with BackgroundServer(app) as sim, httpx.Client(base_url=sim.url) as http:
            created = http.post("/sandbox/api/comments", json={"username": "alice", "text": "下期？"})
            assert created.status_code == 201
            assert app.state.simulator.sender.wait_idle(10)
    [item] = receiver.received
    assert item.signed
    [event] = parse_webhook(json.loads(item.body))
    assert event.comment_id == created.json()["id"]


def test_a_full_queue_refuses_instead_of_blocking() -> None:
    from marksix.sandbox import WebhookSender

    entered, release = threading.Event(), threading.Event()

    def slow_receiver(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(10)
        return httpx.Response(200)

    sender = WebhookSender(
        "http://receiver.test/hook", APP_SECRET, transport=httpx.MockTransport(slow_receiver), max_queue=1
    )
    try:
        assert sender.submit(dashboard_test_change())  # taken by the thread, which then waits
        assert entered.wait(10)
        assert sender.submit(dashboard_test_change())  # fills the queue
        assert sender.submit(dashboard_test_change()) is False
        assert sender.stats()["queue_full_drops"] == 1
        release.set()
        assert sender.wait_idle(10)
    finally:
        release.set()
        sender.stop()


def test_an_hour_of_failures_unsubscribes_the_account(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 1000
    simulator = make_simulator(disable_after=3600, time_scale=0.0001, retry_delays=(500.0,) * 100)
    simulator.post_comment("alice", "hi")
    idle(simulator)
    [delivery] = simulator.sender.deliveries()
    assert delivery["state"] == "disabled"
    account = simulator.state.account
    assert account.subscribed_fields == []
    assert [alert["alert"] for alert in simulator.alerts] == ["Webhooks Failing", "Webhooks Disabled"]
    sent = len(receiver.received)
    simulator.post_comment("bob", "after the unsubscription")
    idle(simulator)
    assert len(receiver.received) == sent
    assert simulator.delivery_health(account.id)["disabled"] is True


def test_a_sustained_run_of_failures_across_deliveries_disables_webhooks(
    make_simulator: SimulatorFactory, receiver: Receiver
) -> None:
    """The run is the account's, not one delivery's: each update fails a little, together for an
    hour. A success in between starts the count again."""
    simulator = make_simulator(disable_after=3600, time_scale=0.0001, retry_delays=(400.0,) * 3)
    account = simulator.state.account
    receiver.statuses = [500] * 4 + [200]  # one delivery gives up; the next one gets through
    simulator.post_comment("alice", "first")
    idle(simulator)
    simulator.post_comment("bob", "second")
    idle(simulator)
    assert simulator.delivery_health(account.id)["disabled"] is False
    assert account.subscribed_fields != []
    receiver.statuses = [500] * 1000
    for name in ("carol", "dan", "erin", "fay"):  # 4 x 4 attempts, 1,200 s each: over the hour
        simulator.post_comment(name, "failing")
        idle(simulator)
    health = simulator.delivery_health(account.id)
    # Two runs, each alerted at 15 minutes; only the second lasted the hour.
    assert health["disabled"] is True
    assert health["alerts"] == ["Webhooks Failing", "Webhooks Failing", "Webhooks Disabled"]
    assert account.subscribed_fields == []
    assert [d["state"] for d in simulator.sender.deliveries()][:2] == ["gave_up", "delivered"]
    assert "disabled" in [d["state"] for d in simulator.sender.deliveries()]
    # Subscribing again (after the endpoint is fixed) starts afresh.
    receiver.statuses = []
    simulator.state.subscribe(account.id, ["comments"])
    simulator.post_comment("gus", "back")
    idle(simulator)
    assert simulator.delivery_health(account.id)["disabled"] is False
    assert simulator.sender.deliveries()[-1]["state"] == "delivered"


def test_an_account_gets_no_webhook_until_it_subscribes(receiver: Receiver) -> None:
    """Webhooks setup, step 3: nothing arrives before POST /me/subscribed_apps, and only
    the fields subscribed to."""
    simulator = Simulator(
        app_secret=APP_SECRET, webhook_url="http://receiver.test/hook", webhook_transport=receiver.transport()
    )
    try:
        assert simulator.state.account.subscribed_fields == []
        simulator.post_comment("alice", "before")
        idle(simulator)
        assert receiver.received == []
        assert simulator.to_json()["webhooks"]["unsubscribed_skips"] == 1
        simulator.state.subscribe(simulator.state.account.id, ["live_comments"])
        simulator.post_comment("alice", "still a feed comment")
        idle(simulator)
        assert receiver.received == []
        simulator.state.subscribe(simulator.state.account.id, ["comments"])
        after = simulator.post_comment("alice", "after").id
        idle(simulator)
        assert [event.comment_id for event in receiver.events()] == [after]
    finally:
        simulator.close()
