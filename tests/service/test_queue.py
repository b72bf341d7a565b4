"""Huey around the state machine: immediate mode, real consumer threads, SQLite and Redis."""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, FakeClock, FakeGraph, claim_record, event, fake_reply_for
from sqlalchemy import Engine

from marksix.config import load_settings
from marksix.errors import RetryableApiError
from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker.consumer import start_consumer
from marksix.worker.limits import Limits
from marksix.worker.queue import Tasks, lazy, make_huey, register_tasks
from marksix.worker.reconcile import Reconciler
from marksix.worker.runtime import WorkerServices
from marksix.worker.service import Clock, ReplyService, utc_now
from marksix.worker.sweeper import Sweeper

REDIS_ENV = "MARKSIX_TEST_REDIS_URL"


def services_for(engine: Engine, cipher: TokenCipher, graph: FakeGraph, clock: Clock) -> WorkerServices:
    comments = CommentRepository(engine)
    accounts = AccountRepository(engine, cipher)
    if accounts.find(ACCOUNT_ID) is None:
        accounts.save(ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token="IGAAT-token")
    limits = Limits(commenter_cooldown=Limits().commenter_cooldown * 0)
    return WorkerServices(
        comments=comments,
        accounts=accounts,
        replies=ReplyService(
            comments,
            accounts,
            graph_for=lambda account: graph,
            reply_for=fake_reply_for,
            limits=limits,
            clock=clock,
            rng=random.Random(3),
        ),
        sweeper=Sweeper(comments, limits=limits, clock=clock),
        reconciler=Reconciler(comments, accounts, graph_for=lambda account: graph, clock=clock),
        clock=clock,
    )


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def immediate(
    store_engine: Engine, cipher: TokenCipher, graph: FakeGraph, clock: FakeClock, tmp_path: Path
) -> Iterator[Tasks]:
    huey = make_huey(load_settings(home=tmp_path, redis_url=None), immediate=True)
    yield register_tasks(huey, lazy(lambda: services_for(store_engine, cipher, graph, clock)))


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached before the deadline")
        time.sleep(0.05)


def test_make_huey_picks_the_backend(tmp_path: Path) -> None:
    embedded = make_huey(load_settings(home=tmp_path, redis_url=None))
    assert isinstance(embedded, SqliteHuey)
    assert Path(embedded.storage.filename) == tmp_path / "queue.sqlite3"
    distributed = make_huey(load_settings(home=tmp_path, redis_url="redis://127.0.0.1:1/0"))
    assert isinstance(distributed, RedisHuey)


def test_immediate_mode_replies_while_submitting(immediate: Tasks, graph: FakeGraph) -> None:
    incoming = event()
    assert immediate.submit(incoming) is True
    assert immediate.submit(incoming) is False  # a redelivered webhook
    record = immediate.services().comments.get(CommentKey(ACCOUNT_ID, incoming.comment_id))
    assert record.state == "replied"
    assert graph.posted() == 1


def test_a_retry_is_scheduled_in_huey_for_its_not_before(immediate: Tasks, graph: FakeGraph) -> None:
    graph.fail["reply"] = [RetryableApiError("HTTP 502", status=502)]
    immediate.submit(event())
    assert immediate.huey.scheduled_count() == 1
    assert graph.posted() == 0


def test_sweep_task_requeues_a_dead_workers_comment(
    immediate: Tasks, graph: FakeGraph, clock: FakeClock
) -> None:
    services = immediate.services()
    incoming = event()
    services.comments.record(incoming, now=clock())
    key = CommentKey(ACCOUNT_ID, incoming.comment_id)
    services.comments.queue(key, now=clock())
    assert (
        claim_record(services.comments, key, now=clock(), lease=Limits().lease) is not None
    )  # then the worker died
    assert immediate.sweep.call_local() == {"requeued": 0, "failed": 0, "due": 0}
    clock.advance(600)
    assert immediate.sweep.call_local() == {"requeued": 1, "failed": 0, "due": 1}
    assert services.comments.get(key).state == "replied"
    assert graph.posted() == 1


def test_reconcile_task_queues_comments_whose_webhook_never_came(
    immediate: Tasks, graph: FakeGraph, clock: FakeClock
) -> None:
    graph.media = [{"id": "m1", "media_product_type": "FEED"}]
    graph.comments["m1"] = [
        {
            "id": "new-1",
            "text": "幾時攪珠",
            "timestamp": "2026-11-29T11:58:00+0000",
            "username": "amy",
            "from": {"id": "u-amy", "username": "amy"},
        },
        {"id": "old-1", "text": "last year", "timestamp": "2025-11-29T11:58:00+0000", "username": "bob"},
        {"id": "hidden-1", "text": "spam", "timestamp": "2026-11-29T11:58:00+0000", "hidden": True},
    ]
    immediate.submit(event(comment_id="seen-1"))  # came by webhook
    graph.comments["m1"].append({"id": "seen-1", "text": "x", "timestamp": "2026-11-29T11:58:00+0000"})
    result = immediate.reconcile.call_local()
    assert result["found"] == 1 and result["problems"] == []
    record = immediate.services().comments.get(CommentKey(ACCOUNT_ID, "new-1"))
    assert (record.state, record.source, record.username, record.media_id) == (
        "replied",
        "reconcile",
        "amy",
        "m1",
    )
    assert immediate.reconcile.call_local()["found"] == 0
    assert immediate.services().comments.find(CommentKey(ACCOUNT_ID, "old-1")) is None
    assert graph.posted() == 2


def test_reconcile_reads_back_past_a_busy_page_to_where_the_last_run_began(
    immediate: Tasks, graph: FakeGraph, clock: FakeClock
) -> None:
    """A post that got 120 comments since the last run: a lost webhook 80 deep is still found."""
    graph.media = [{"id": "m1", "media_product_type": "FEED"}]
    graph.comments["m1"] = []
    assert immediate.reconcile.call_local()["found"] == 0  # the run the next one reads back to
    clock.advance(300)
    now = clock()
    for n in range(120):  # newest first, two seconds apart: all since the last run
        at = (now - timedelta(seconds=2 * n)).strftime("%Y-%m-%dT%H:%M:%S+0000")
        comment_id = f"busy-{n}"
        graph.comments["m1"].append(
            {"id": comment_id, "text": "下期？", "timestamp": at, "username": f"u{n}"}
        )
        if n != 80:  # every webhook came but this one
            immediate.submit(event(comment_id=comment_id, username=f"u{n}"))
    result = immediate.reconcile.call_local()
    assert result["found"] == 1
    assert immediate.services().comments.get(CommentKey(ACCOUNT_ID, "busy-80")).source == "reconcile"
    # Nothing new since: the next run reads the first page only.
    calls = len(graph.calls)
    clock.advance(300)
    assert immediate.reconcile.call_local()["found"] == 0
    assert [call for call in graph.calls[calls:] if call.startswith("list_comments")] == ["list_comments:m1"]


def test_reconcile_after_a_pause_reads_back_over_the_whole_pause(
    immediate: Tasks, graph: FakeGraph, clock: FakeClock
) -> None:
    """Found in the soak: a webhook lost while its account waited out a policy block."""
    graph.media = [{"id": "m1", "media_product_type": "FEED"}]
    graph.comments["m1"] = []
    assert immediate.reconcile.call_local()["found"] == 0
    accounts = immediate.services().accounts
    accounts.pause(ACCOUNT_ID, clock() + timedelta(minutes=20), "policy block", now=clock())
    start = clock()
    for n in range(120):  # newest first, ten seconds apart, all while the account is paused
        at = (start + timedelta(seconds=10 * (120 - n))).strftime("%Y-%m-%dT%H:%M:%S+0000")
        comment_id = f"paused-{n}"
        graph.comments["m1"].append(
            {"id": comment_id, "text": "下期？", "timestamp": at, "username": f"p{n}"}
        )
        if n != 110:  # every webhook came but this one, early in the pause
            immediate.submit(event(comment_id=comment_id, username=f"p{n}"))
        if n % 40 == 0:  # other accounts' runs go on meanwhile; this one is skipped
            clock.advance(300)
            assert immediate.reconcile.call_local()["found"] == 0
    clock.advance(21 * 60)  # the pause is over
    assert immediate.reconcile.call_local()["found"] == 1
    assert immediate.services().comments.get(CommentKey(ACCOUNT_ID, "paused-110")).source == "reconcile"


def _consume(tasks: Tasks, graph: FakeGraph, count: int) -> None:
    keys = []
    for n in range(count):
        incoming = event(username=f"user{n}")
        assert tasks.submit(incoming)
        keys.append(CommentKey(ACCOUNT_ID, incoming.comment_id))
        tasks.submit(incoming)  # every webhook delivered twice
    comments = tasks.services().comments
    with start_consumer(tasks.huey, workers=2, periodic=False) as worker:
        wait_until(lambda: comments.counts_by_state()["replied"] == count)
    assert not worker.alive
    assert graph.posted() == count
    assert all(len(graph.replies[key.comment_id]) == 1 for key in keys)


def test_sqlite_huey_consumer_threads_reply_once_each(
    store_engine: Engine, cipher: TokenCipher, graph: FakeGraph, tmp_path: Path
) -> None:
    huey = make_huey(load_settings(home=tmp_path, redis_url=None))
    tasks = register_tasks(huey, lazy(lambda: services_for(store_engine, cipher, graph, utc_now)))
    _consume(tasks, graph, 20)


@pytest.mark.redis
def test_redis_huey_consumer_threads_reply_once_each(
    store_engine: Engine, cipher: TokenCipher, graph: FakeGraph, tmp_path: Path
) -> None:
    url = os.environ.get(REDIS_ENV, "").strip()
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set (start one with: source .ci/services.sh; start_redis)")
    huey = make_huey(load_settings(home=tmp_path, redis_url=url), name=f"marksix-test-{uuid.uuid4().hex[:8]}")
    try:
        tasks = register_tasks(huey, lazy(lambda: services_for(store_engine, cipher, graph, utc_now)))
        _consume(tasks, graph, 20)
    finally:
        huey.flush()


def test_resume_requeues_waiting_comments_after_a_new_token(
    immediate: Tasks, graph: FakeGraph, clock: FakeClock
) -> None:
    from marksix.errors import TokenExpired

    graph.fail["reply"] = [TokenExpired("Session has expired", code=190, subcode=463)]
    first, second = event(), event(username="bob")
    immediate.submit(first)
    immediate.submit(second)
    services = immediate.services()
    assert services.accounts.get(ACCOUNT_ID).status == "blocked"
    assert services.comments.counts_by_state()["queued"] == 2
    services.accounts.set_token(ACCOUNT_ID, "IGAAT-renewed", now=clock())
    assert immediate.resume(ACCOUNT_ID) == 2
    assert services.comments.counts_by_state()["replied"] == 2
    assert graph.posted() == 2


def test_a_queue_outage_loses_nothing(immediate: Tasks, graph: FakeGraph, clock: FakeClock) -> None:
    real_task = immediate.process_comment

    def unreachable(*args: object) -> None:
        raise ConnectionError("Redis is down")

    immediate.process_comment = unreachable
    incoming = event()
    assert immediate.submit(incoming) is True  # the webhook still answers 200: the row is durable
    key = CommentKey(ACCOUNT_ID, incoming.comment_id)
    assert immediate.services().comments.get(key).state == "queued"
    immediate.process_comment = real_task
    clock.advance(180)
    assert immediate.sweep.call_local()["due"] == 1
    assert immediate.services().comments.get(key).state == "replied"
