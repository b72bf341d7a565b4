"""The comments table as the queue: group intake, `claim_next`, and workers that pull from it.

With the SQLite queue the webhook stores a comment's row queued and sends
no Huey task (one commit per delivery); workers claim from the table. The
exactly-once contract is the one of test_reply_service.py and
test_scale_out.py, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from pathlib import Path

from service_fakes import ACCOUNT_ID, Env, FakeGraph, event, fake_reply_for
from sqlalchemy import Engine
from test_queue import services_for, wait_until

from marksix.config import load_settings
from marksix.errors import RetryableApiError, TokenExpired
from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker.consumer import start_consumer
from marksix.worker.limits import Limits
from marksix.worker.queue import lazy, make_huey, register_tasks
from marksix.worker.service import ReplyService, utc_now

LEASE = timedelta(minutes=5)
OTHER_ACCOUNT = "17841499999999999"


def test_record_many_stores_a_group_at_once_and_counts_a_repeat_once(env: Env) -> None:
    first, second = event(username="amy"), event(username="bob")
    assert env.comments.record_many([first, second, first], now=env.clock()) == [True, True, False]
    assert env.comments.record_many([second], now=env.clock()) == [False]  # a redelivery
    assert env.comments.counts_by_state()["queued"] == 2
    record = env.comments.get(CommentKey(ACCOUNT_ID, first.comment_id))
    assert (record.state, record.username, record.enqueued_at) == ("queued", "amy", env.clock())


def test_record_many_stores_the_accounts_own_comments_finished(env: Env) -> None:
    own = event(from_id=ACCOUNT_ID, username="the_account")
    assert env.comments.record_many(
        [own], now=env.clock(), skipped=lambda e: ("own_comment", "written by the account itself")
    ) == [True]
    assert env.comments.get(CommentKey(ACCOUNT_ID, own.comment_id)).state == "skipped"
    assert env.comments.claim_next(now=env.clock(), lease=LEASE) is None


def test_claim_next_takes_the_oldest_due_comment_of_an_account_not_blocked(env: Env) -> None:
    env.accounts.save(OTHER_ACCOUNT, "other_account", now=env.clock(), token="IGAAT-other")
    blocked = event(account_id=OTHER_ACCOUNT, username="amy")
    later, first, second = event(username="cat"), event(username="amy"), event(username="bob")
    env.comments.record_many([blocked, later, first, second], now=env.clock())
    env.accounts.block(OTHER_ACCOUNT, "token expired", now=env.clock())
    held = env.comments.claim(CommentKey(ACCOUNT_ID, later.comment_id), now=env.clock(), lease=LEASE)
    assert held is not None  # then released with a retry time, a minute from now
    env.comments.release(
        held.record,
        now=env.clock(),
        code="retryable",
        reason="HTTP 502",
        not_before=env.clock() + timedelta(minutes=1),
        count_attempt=True,
        sent_unknown=False,
    )
    taken = [env.comments.claim_next(now=env.clock(), lease=LEASE) for _ in range(3)]
    assert [claimed.record.comment_id if claimed else None for claimed in taken] == [
        first.comment_id,
        second.comment_id,
        None,  # `later` is not due yet, and the blocked account's comment waits
    ]
    assert taken[0] is not None and taken[0].record.state == "in_progress"
    assert taken[0].account_row is not None and not taken[0].is_own_reply
    env.clock.advance(61)
    due = env.comments.claim_next(now=env.clock(), lease=LEASE)
    assert due is not None and due.record.comment_id == later.comment_id
    env.accounts.unblock(OTHER_ACCOUNT, now=env.clock())
    resumed = env.comments.claim_next(now=env.clock(), lease=LEASE)
    assert resumed is not None and resumed.record.comment_id == blocked.comment_id


def test_handle_next_retries_when_due_and_a_task_for_it_then_finds_nothing(env: Env) -> None:
    env.graph.fail["reply"] = [RetryableApiError("HTTP 502", status=502)]
    incoming = event()
    env.comments.record_many([incoming], now=env.clock())
    outcome = env.service.handle_next()
    assert outcome is not None and outcome.state == "queued" and outcome.retry_at is not None
    assert env.service.handle_next() is None  # not due yet
    env.clock.now = outcome.retry_at
    again = env.service.handle_next()
    assert again is not None and again.state == "replied"
    key = CommentKey(ACCOUNT_ID, incoming.comment_id)
    assert env.service.handle(key).state == "not_claimed"  # the Huey task that raced it
    assert env.graph.posted() == 1


def test_a_blocked_accounts_comments_are_not_pulled_until_a_new_token(env: Env) -> None:
    env.graph.fail["reply"] = [TokenExpired("Session has expired", code=190, subcode=463)]
    env.comments.record_many([event(username="amy"), event(username="bob")], now=env.clock())
    first = env.service.handle_next()
    assert first is not None and first.state == "waiting"
    assert env.service.handle_next() is None  # no hot loop over a blocked account's comments
    env.accounts.set_token(ACCOUNT_ID, "IGAAT-renewed", now=env.clock())
    states = [outcome.state if outcome else None for outcome in (env.service.handle_next() for _ in range(3))]
    assert states == ["replied", "replied", None]
    assert env.graph.posted() == 2


def test_racing_pullers_reply_to_each_comment_once(
    store_engine: Engine, store_url: str, cipher: TokenCipher, env: Env
) -> None:
    """Three workers, each with its own engine (as separate processes have), drain one table."""
    from marksix.store.engine import make_engine

    env.accounts.update_settings(ACCOUNT_ID, {"commenter_cooldown_seconds": 0}, now=env.clock())
    env.comments.record_many([event(username=f"u{n}") for n in range(24)], now=env.clock())
    engines = [make_engine(store_url) for _ in range(3)]
    graphs = [FakeGraph() for _ in engines]
    services = [
        ReplyService(
            CommentRepository(engine),
            AccountRepository(engine, cipher),
            graph_for=lambda account, g=graph: g,
            reply_for=fake_reply_for,
            limits=Limits(),
            clock=env.clock,
            rng=random.Random(seed),
        )
        for seed, (engine, graph) in enumerate(zip(engines, graphs, strict=True))
    ]
    barrier = threading.Barrier(len(services))

    def drain(service: ReplyService) -> None:
        barrier.wait()
        while service.handle_next() is not None:
            pass

    threads = [threading.Thread(target=drain, args=(service,)) for service in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert env.comments.counts_by_state()["replied"] == 24
    replies: dict[str, int] = {}
    for graph in graphs:
        for comment_id, posted in graph.replies.items():
            replies[comment_id] = replies.get(comment_id, 0) + len(posted)
    assert len(replies) == 24 and set(replies.values()) == {1}


def test_a_consumer_pulls_what_accept_stored_without_a_huey_task(
    store_engine: Engine, cipher: TokenCipher, tmp_path: Path
) -> None:
    """The webhook's path end to end: `accept` (one commit, no task), a woken consumer that pulls."""
    graph = FakeGraph()
    huey = make_huey(load_settings(home=tmp_path, redis_url=None))
    tasks = register_tasks(huey, lazy(lambda: services_for(store_engine, cipher, graph, utc_now)))
    assert tasks.table_queue and tasks.puller() is not None
    events = [event(username=f"fan{n}") for n in range(15)]
    assert tasks.accept(events + events[:5]) == [True] * 15 + [False] * 5  # redeliveries count once
    assert huey.pending_count() == 0
    comments = tasks.services().comments
    with start_consumer(huey, workers=2, periodic=False, pull=tasks.puller()) as worker:
        worker.wake.set()
        wait_until(lambda: comments.counts_by_state()["replied"] == 15)
    assert graph.posted() == 15
    assert all(len(graph.replies[incoming.comment_id]) == 1 for incoming in events)


def test_with_redis_or_immediate_huey_accept_still_sends_tasks(
    store_engine: Engine, cipher: TokenCipher, tmp_path: Path
) -> None:
    graph = FakeGraph()
    huey = make_huey(load_settings(home=tmp_path, redis_url=None), immediate=True)
    tasks = register_tasks(huey, lazy(lambda: services_for(store_engine, cipher, graph, utc_now)))
    assert not tasks.table_queue and tasks.puller() is None
    assert tasks.accept([event(username="amy"), event(username="bob")]) == [True, True]
    assert tasks.services().comments.counts_by_state()["replied"] == 2  # the tasks ran at once
