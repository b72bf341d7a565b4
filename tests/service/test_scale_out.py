"""Separate processes, one truth: two workers share every limit, and one scheduler runs.

Each worker here has an engine (a connection pool) and a Graph client of its
own, as two `marksix worker` processes do; they meet only in the database
and, for the queue test, in Redis. The contract is the single-worker one in
test_reply_service.py, with the comments handed alternately to each worker.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, FakeClock, FakeGraph, event, fake_reply_for
from sqlalchemy import Engine

from marksix.errors import PolicyBlocked, TokenExpired
from marksix.store.accounts import AccountRepository, TokenCipher
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker.limits import Limits
from marksix.worker.scheduler import FileLease, PostgresLease, Schedule, lease_for, run_scheduler
from marksix.worker.service import ReplyService

REDIS_ENV = "MARKSIX_TEST_REDIS_URL"


@dataclass
class Worker:
    engine: Engine
    comments: CommentRepository
    accounts: AccountRepository
    graph: FakeGraph
    service: ReplyService


def _worker(url: str, cipher: TokenCipher, clock: FakeClock, seed: int) -> Worker:
    from marksix.store.engine import make_engine

    engine = make_engine(url)
    comments = CommentRepository(engine)
    accounts = AccountRepository(engine, cipher)
    graph = FakeGraph()
    service = ReplyService(
        comments,
        accounts,
        graph_for=lambda account: graph,
        reply_for=fake_reply_for,
        limits=Limits(),
        clock=clock,
        rng=random.Random(seed),
    )
    return Worker(engine, comments, accounts, graph, service)


@pytest.fixture
def workers(
    store_engine: Engine, store_url: str, cipher: TokenCipher, clock: FakeClock
) -> Iterator[list[Worker]]:
    """Two workers on one migrated database (the store_engine fixture migrated it)."""
    AccountRepository(store_engine, cipher).save(
        ACCOUNT_ID, ACCOUNT_NAME, now=clock(), token="IGAAT-secret-token"
    )
    pair = [_worker(store_url, cipher, clock, seed) for seed in (1, 2)]
    yield pair
    for worker in pair:
        worker.engine.dispose()


def submit(worker: Worker, clock: FakeClock, **kwargs: object) -> CommentKey:
    incoming = event(**kwargs)  # type: ignore[arg-type]
    assert worker.comments.record(incoming, now=clock())
    key = CommentKey(incoming.account_id, incoming.comment_id)
    worker.comments.queue(key, now=clock())
    return key


def posted(workers: list[Worker]) -> int:
    return sum(worker.graph.posted() for worker in workers)


def test_the_commenter_cooldown_holds_across_workers(workers: list[Worker], clock: FakeClock) -> None:
    a, b = workers
    first, second = submit(a, clock, username="amy"), submit(b, clock, username="amy")
    assert a.service.handle(first).state == "replied"
    outcome = b.service.handle(second)
    assert outcome.code == "commenter_cooldown" and "@amy" in (outcome.reason or "")
    assert posted(workers) == 1


def test_the_per_post_cap_holds_across_workers(workers: list[Worker], clock: FakeClock) -> None:
    a, _ = workers
    a.accounts.update_settings(
        ACCOUNT_ID, {"post_reply_cap": 3, "commenter_cooldown_seconds": 0}, now=clock()
    )
    codes = [workers[n % 2].service.handle(submit(a, clock, username=f"u{n}")).code for n in range(5)]
    assert codes == [None, None, None, "post_reply_cap", "post_reply_cap"]
    assert posted(workers) == 3


def test_the_private_reply_hourly_cap_holds_across_workers(workers: list[Worker], clock: FakeClock) -> None:
    a, b = workers
    a.accounts.update_settings(
        ACCOUNT_ID, {"reply_mode": "private", "private_replies_per_hour": 2}, now=clock()
    )
    keys = [submit(a, clock, username=f"u{n}") for n in range(3)]
    assert a.service.handle(keys[0]).state == "replied"
    assert b.service.handle(keys[1]).state == "replied"
    assert a.service.handle(keys[2]).code == "private_reply_window"
    assert len(a.graph.private) + len(b.graph.private) == 2


def test_a_usage_pause_seen_by_one_worker_stops_the_other(workers: list[Worker], clock: FakeClock) -> None:
    a, b = workers
    a.graph.usage.max_percent = 95.0  # only worker A's client has seen the high usage
    first, second = submit(a, clock), submit(a, clock, username="bob")
    assert a.service.handle(first).state == "replied"
    outcome = b.service.handle(second)
    assert outcome.code == "account_paused" and "95%" in (outcome.reason or "")
    assert b.graph.posted() == 0


def test_a_block_met_by_one_worker_stops_the_other(workers: list[Worker], clock: FakeClock) -> None:
    a, b = workers
    a.graph.fail["reply"] = [
        TokenExpired("Error validating access token: Session has expired", code=190, subcode=463)
    ]
    first, second = submit(a, clock), submit(a, clock, username="bob")
    assert a.service.handle(first).state == "waiting"
    assert b.service.handle(second).state == "waiting"
    assert b.accounts.get(ACCOUNT_ID).status == "blocked"
    assert posted(workers) == 0


def test_a_policy_block_met_by_one_worker_pauses_the_other(workers: list[Worker], clock: FakeClock) -> None:
    a, b = workers
    a.graph.fail["reply"] = [PolicyBlocked("Temporarily blocked for policies violations", code=368)]
    first, second = submit(a, clock), submit(a, clock, username="bob")
    assert a.service.handle(first).code == "policy_blocked"
    assert b.service.handle(second).code == "account_paused"
    assert b.accounts.get(ACCOUNT_ID).paused_at(clock())
    assert posted(workers) == 0


def test_racing_workers_claim_each_comment_once(workers: list[Worker], clock: FakeClock) -> None:
    a, _ = workers
    a.accounts.update_settings(ACCOUNT_ID, {"commenter_cooldown_seconds": 0}, now=clock())
    keys = [submit(a, clock, username=f"u{n}") for n in range(12)]
    barrier = threading.Barrier(len(workers))

    def drain(worker: Worker) -> None:
        barrier.wait()
        for key in keys:  # both try every comment: the database decides who sends
            worker.service.handle(key)

    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert posted(workers) == len(keys)
    assert all(a.comments.get(key).state == "replied" for key in keys)


@pytest.mark.redis
def test_two_consumers_on_one_redis_queue_keep_the_cooldown(
    workers: list[Worker], store_url: str, cipher: TokenCipher, tmp_path: Path
) -> None:
    """Two Huey consumers (as two `marksix worker` processes) on one Redis queue and one database."""
    url = os.environ.get(REDIS_ENV, "").strip()
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set (start one with: source .ci/services.sh; start_redis)")
    from marksix.config import load_settings
    from marksix.worker.consumer import start_consumer
    from marksix.worker.queue import make_huey, register_tasks
    from marksix.worker.runtime import build_services

    name = f"marksix-test-{uuid.uuid4().hex[:8]}"
    settings = load_settings(home=tmp_path, redis_url=url)
    queues = []
    for worker in workers:
        services = build_services(
            settings,
            worker.comments,
            worker.accounts,
            graph_for=lambda account, g=worker.graph: g,
            reply_for=fake_reply_for,
        )
        huey = make_huey(settings, name=name)
        queues.append(register_tasks(huey, lambda s=services: s))
    try:
        for n in range(10):  # five commenters, two comments each, arriving at either web process
            assert queues[n % 2].submit(event(username=f"fan{n % 5}"))
        counts = workers[0].comments.counts_by_state
        runners = [start_consumer(tasks.huey, workers=2, periodic=False) for tasks in queues]
        try:
            deadline = threading.Event()
            for _ in range(400):
                states = counts()
                if states.get("replied", 0) + states.get("skipped", 0) == 10:
                    break
                deadline.wait(0.05)
        finally:
            for runner in runners:
                runner.stop()
        states = counts()
        assert (states.get("replied", 0), states.get("skipped", 0)) == (5, 5)
        assert posted(workers) == 5
    finally:
        queues[0].huey.flush()


def test_only_one_scheduler_holds_the_lease(store_engine: Engine, tmp_path: Path) -> None:
    first, second = lease_for(store_engine, home=tmp_path), lease_for(store_engine, home=tmp_path)
    expected = PostgresLease if store_engine.dialect.name == "postgresql" else FileLease
    assert isinstance(first, expected)
    assert first.try_acquire() and first.held()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


class _Job:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def call_local(self) -> dict[str, int]:
        self.log.append(self.name)
        return {"due": 0}


class _Tasks:
    def __init__(self, log: list[str]) -> None:
        self.sweep, self.reconcile, self.refresh_tokens = (
            _Job(n, log) for n in ("sweep", "reconcile", "refresh")
        )


def test_a_waiting_scheduler_takes_over_when_the_first_stops(store_engine: Engine, tmp_path: Path) -> None:
    schedule = Schedule(sweep=3600, reconcile=3600, refresh_tokens=3600, retry_lease=0.05)
    ran: dict[str, list[str]] = {"first": [], "second": []}
    stops = {name: threading.Event() for name in ran}
    took: dict[str, threading.Event] = {name: threading.Event() for name in ran}

    def run(name: str) -> None:
        def on_run(job: str, result: object) -> None:
            if job == "refresh_tokens":
                took[name].set()

        tasks = _Tasks(ran[name])
        run_scheduler(
            tasks,  # type: ignore[arg-type]
            lease_for(store_engine, home=tmp_path),
            stop=stops[name],
            schedule=schedule,
            on_run=on_run,
        )

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert took["first"].wait(10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    assert not took["second"].wait(0.3)  # not a timing claim: it must not run while the lease is held
    assert ran["second"] == []
    stops["first"].set()
    first.join(10)
    assert took["second"].wait(10)
    stops["second"].set()
    second.join(10)
    assert ran["first"] == ["sweep", "reconcile", "refresh"] == ran["second"]


def test_scheduler_help_has_examples() -> None:
    from click.testing import CliRunner

    from marksix.cli import cli

    result = CliRunner().invoke(cli, ["scheduler", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "marksix scheduler" in result.output
    serve_help = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "--web-only" in serve_help
