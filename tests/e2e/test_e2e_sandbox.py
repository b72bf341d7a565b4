"""End to end in one process: comments go in through the simulator, replies come out.

The app runs with uvicorn on 127.0.0.1 and its worker threads, exactly as
`marksix serve --sandbox` does, with compressed time scales. Each test ends
with the same check: every comment answered exactly once, nothing else.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_harness import (
    APP_SECRET,
    InProcessService,
    add_fault,
    assert_one_reply_each,
    post_comment,
    replied_to,
    settled,
    wait_until,
)

from marksix.instagram.webhooks import sign
from marksix.store.comments import CommentKey

pytestmark = pytest.mark.slow

TEXTS = ("俾組號碼我", "give me numbers for the next draw", "下期買咩好", "lucky numbers please", "求一組")


def comment_texts() -> Iterator[str]:
    return itertools.cycle(TEXTS)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[InProcessService]:
    running = InProcessService(tmp_path / "home").start()
    yield running
    running.stop()


def post_many(service: InProcessService, count: int, prefix: str = "fan", **extra: str) -> list[str]:
    texts = comment_texts()
    return [post_comment(service.http, f"{prefix}{n}", next(texts), **extra) for n in range(count)]


def finish(service: InProcessService, comment_ids: list[str]) -> list[dict[str, str]]:
    wait_until(lambda: replied_to(service.http, comment_ids), f"replies to {len(comment_ids)} comments")
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    # Every delivery (retries and duplicates included) has been answered before we count.
    assert service.simulator.sender.wait_idle(10)
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    return assert_one_reply_each(service.http, comment_ids)


def test_each_comment_gets_exactly_one_reply_and_our_replies_are_not_answered(
    service: InProcessService,
) -> None:
    comment_ids = post_many(service, 20)
    every = finish(service, comment_ids)
    # Our own replies came back as webhooks too; they were stored and skipped, not answered.
    for reply in every:
        record = service.runtime.comments.find(
            CommentKey(service.simulator.state.account.id, reply["reply_id"])
        )
        if record is not None:
            assert record.state == "skipped"
            assert record.reason_code == "own_comment"
    health = service.http.get("/healthz").json()
    assert health["queue"]["depth"] == 0
    assert health["queue"]["states"]["replied"] == 20
    metrics = service.http.get("/metrics").text
    assert 'marksix_comments{state="replied"} 20.0' in metrics


def test_duplicate_deliveries_give_one_reply(service: InProcessService) -> None:
    http = service.http
    add_fault(http, kind="webhook_duplicate", count=None)  # every delivery sent twice
    comment_ids = post_many(service, 8)
    # A boosted post: Meta documents duplicate notifications for ads (the simulator sends two).
    ad = http.post("/sandbox/api/media", json={"caption": "ad", "media_product_type": "AD", "ad_title": "x"})
    assert ad.status_code in (200, 201), ad.text
    comment_ids.append(post_comment(http, "adfan", "俾組號碼我", media_id=ad.json()["id"]))
    # And the same signed body replayed by hand, three times, long after the first.
    finish(service, comment_ids)
    body = json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": service.simulator.state.account.id,
                    "time": 1755779280,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {
                                "id": comment_ids[0],
                                "text": "俾組號碼我",
                                "from": {"id": "1", "username": "fan0"},
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    for _ in range(3):
        response = http.post(
            "/webhooks/instagram",
            content=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)},
        )
        assert response.json() == {"received": 1, "new": 0}
    deliveries = http.get("/sandbox/api/deliveries").json()
    duplicated = {
        comment_id
        for delivery in deliveries
        if delivery["duplicate_of"] is not None and delivery["state"] == "delivered"
        for comment_id in delivery["comment_ids"]
    }
    assert set(comment_ids) <= duplicated  # every comment really was delivered twice
    finish(service, comment_ids)


def test_out_of_order_delivery_still_answers_everyone_once(service: InProcessService) -> None:
    http = service.http
    add_fault(http, kind="webhook_delay", seconds=1.5, count=1)
    first = post_comment(http, "early", "俾組號碼我")
    later = post_many(service, 5, prefix="late")
    finish(service, [first, *later])
    account = service.simulator.state.account.id
    first_record = service.runtime.comments.get(CommentKey(account, first))
    later_record = service.runtime.comments.get(CommentKey(account, later[-1]))
    assert first_record.received_at > later_record.received_at  # it really came last


def test_storms_of_5xx_and_429_end_in_one_reply_each(service: InProcessService) -> None:
    """Bare 5xx pages, Graph transient codes, 429s and hung calls, all before the replies get out.

    (Graph's code-4 throttles carry whole minutes to wait; the unit tests of the
    worker cover those, this test keeps to failures that clear in seconds.)
    """
    http = service.http
    for fault in (
        {"kind": "server_error", "status": 502, "count": 4, "path": "replies"},
        {"kind": "http_429", "count": 3, "retry_after_minutes": 0},
        {"kind": "service_unavailable", "count": 2},
        {"kind": "unknown_error", "count": 2},
        {"kind": "server_error", "status": 500, "count": 4, "path": "replies"},
        {"kind": "timeout", "seconds": 0.2, "count": 2, "path": "replies"},
    ):
        add_fault(http, **fault)
    comment_ids = post_many(service, 12)
    finish(service, comment_ids)
    assert http.get("/sandbox/api/faults").json() == []  # every injected failure was met
    retried = [
        record
        for record in service.runtime.comments.search(None, state="replied", per_page=100).items
        if record.attempts > 0
    ]
    assert retried, "the storm should have made some comments retry"
    assert "marksix_reply_failures_total" in http.get("/metrics").text


def test_a_dropped_webhook_is_found_by_the_reconciler(service: InProcessService) -> None:
    add_fault(service.http, kind="webhook_drop", count=1)
    lost = post_comment(service.http, "unlucky", "俾組號碼我")
    others = post_many(service, 3)
    finish(service, [lost, *others])
    record = service.runtime.comments.get(CommentKey(service.simulator.state.account.id, lost))
    assert record.source != "webhook"


def test_a_policy_blocked_account_shows_its_alert_and_resumes_by_itself_without_losing_comments(
    service: InProcessService,
) -> None:
    http = service.http
    add_fault(http, kind="policy_block", count=3, path="replies")
    comment_ids = post_many(service, 4)

    def policy_alert() -> tuple[str, str] | None:
        health = http.get("/healthz").json()
        found = next((item["pause_reason"] for item in health["accounts"] if item["pause_reason"]), None)
        return (found, health["status"]) if found else None

    alert, status = wait_until(policy_alert, "the account to wait out the policy block")
    assert "368" in alert and "automatically" in alert
    assert status == "degraded"  # said while it waits, not only when blocked
    finish(service, comment_ids)  # no person touched it
    account = service.runtime.accounts.get(service.simulator.state.account.id)
    assert account.alert is None and account.status == "active"


def test_a_clean_restart_keeps_every_comment(tmp_path: Path) -> None:
    """Comments acknowledged by one server (no worker running) are answered by the next."""
    home = tmp_path / "home"
    first = InProcessService(home, worker_threads=0).start()
    try:
        comment_ids = post_many(first, 8)
        wait_until(
            lambda: first.runtime.comments.counts_by_state().get("queued", 0) == 8, "8 acknowledged comments"
        )
        state = first.simulator.state
    finally:
        first.stop()
    assert state.reply_records() == []
    second = InProcessService(home, state=state).start()
    try:
        comment_ids += post_many(second, 3, prefix="after")
        finish(second, comment_ids)
    finally:
        second.stop()


def test_the_simulated_instagram_is_kept_in_the_data_folder_across_a_restart(tmp_path: Path) -> None:
    """Stop with comments queued, start afresh on the same folder: their replies arrive."""
    home = tmp_path / "home"
    first = InProcessService(home, worker_threads=0).start()
    try:
        comment_ids = post_many(first, 5)
        wait_until(
            lambda: first.runtime.comments.counts_by_state().get("queued", 0) == 5, "5 acknowledged comments"
        )
    finally:
        first.stop()
    assert (home / "sandbox-state.json").exists()
    second = InProcessService(home).start()  # a new simulator, read from the data folder
    try:
        assert set(comment_ids) <= set(second.simulator.state.comments)
        finish(second, comment_ids)
        states = second.runtime.comments.counts_by_state()
        assert states.get("failed", 0) == 0
    finally:
        second.stop()


def test_webhooks_are_signed_with_the_configured_secret(service: InProcessService) -> None:
    """The sandbox's sender and the route agree on MARKSIX_APP_SECRET; a stranger's signature fails."""
    body = b'{"object":"instagram","entry":[]}'
    stranger = httpx.post(
        service.url + "/webhooks/instagram",
        content=body,
        headers={"X-Hub-Signature-256": sign(body, "someone-else")},
    )
    assert stranger.status_code == 403
    comment_ids = post_many(service, 1)
    finish(service, comment_ids)
