"""End to end across processes: the service is SIGKILLed mid-reply, then restarted.

The simulator (Instagram) runs in the test process; the service runs in a
child process in real mode, with its Graph client pointed at the simulator
(MARKSIX_GRAPH_HOST) and the same data folder across restarts. A killed
worker leaves comments in progress and Huey tasks lost; the restarted one
must find the replies the dead one already posted instead of posting again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from e2e_harness import (
    APP_SECRET,
    ServiceProcess,
    add_fault,
    assert_one_reply_each,
    post_comment,
    replied_to,
    settled,
    wait_until,
)
from sqlalchemy import Engine

from marksix.paths import Locator
from marksix.sandbox import BackgroundServer, Simulator, create_simulator_app
from marksix.store.comments import CommentKey, CommentRepository
from marksix.store.engine import make_engine

pytestmark = pytest.mark.slow

ACCOUNT = "17841400000000001"


@pytest.fixture
def instagram() -> Iterator[tuple[Simulator, httpx.Client, str]]:
    app = create_simulator_app(app_secret=APP_SECRET, webhook_url=None, latency_ms=5, time_scale=0.001)
    simulator: Simulator = app.state.simulator
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield simulator, http, server.url
        simulator.close()  # releases calls still held by a fault before the server stops


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def start_service(home: Path, simulator: Simulator, graph_root: str) -> ServiceProcess:
    service = ServiceProcess(home, graph_root + "/simulated-graph", home.parent / "service.log").start()
    simulator.webhook_url = service.url + "/webhooks/instagram"
    return service


@pytest.fixture
def open_comments() -> Iterator[Callable[[Path], CommentRepository]]:
    """The service's own database, read from the test (SQLite WAL allows a second reader)."""
    engines: list[Engine] = []

    def open_for(home: Path) -> CommentRepository:
        engines.append(make_engine(Locator.resolve(home).database_url))
        return CommentRepository(engines[-1])

    yield open_for
    for engine in engines:
        engine.dispose()


def test_a_worker_killed_mid_reply_posts_no_duplicate_after_restart(
    instagram: tuple[Simulator, httpx.Client, str],
    home: Path,
    open_comments: Callable[[Path], CommentRepository],
) -> None:
    simulator, http, graph_root = instagram
    service = start_service(home, simulator, graph_root)
    try:
        # Each reply is posted, then its answer is held back: the kill lands after the reply
        # is out and before the worker learns of it, the case that posts duplicates elsewhere.
        add_fault(http, kind="response_lost", seconds=20, count=None, method="POST", path="replies")
        comment_ids = [post_comment(http, f"fan{n}", "俾組號碼我") for n in range(10)]
        comments = open_comments(home)

        def sending() -> list[str]:
            records = (comments.find(CommentKey(ACCOUNT, comment_id)) for comment_id in comment_ids)
            return [
                record.comment_id
                for record in records
                if record is not None and record.state == "in_progress" and record.send_started_at is not None
            ]

        in_flight = wait_until(lambda: [cid for cid in sending() if replied_to(http, [cid])], "a reply out")
        service.kill()
        http.delete("/sandbox/api/faults")
        assert all(comments.get(CommentKey(ACCOUNT, cid)).state == "in_progress" for cid in in_flight)

        service = start_service(home, simulator, graph_root)
        wait_until(lambda: replied_to(http, comment_ids), "replies to every comment")
        wait_until(lambda: settled(comments.counts_by_state), "the queue to drain")
        assert simulator.sender.wait_idle(10)
        assert_one_reply_each(http, comment_ids)
        for comment_id in in_flight:
            record = comments.get(CommentKey(ACCOUNT, comment_id))
            assert record.state == "replied"
            assert record.reason is not None and "earlier attempt" in record.reason
        assert service.stop() == 0
    finally:
        service.kill()


def test_a_clean_stop_and_restart_loses_nothing_even_while_down(
    instagram: tuple[Simulator, httpx.Client, str],
    home: Path,
    open_comments: Callable[[Path], CommentRepository],
) -> None:
    simulator, http, graph_root = instagram
    service = start_service(home, simulator, graph_root)
    try:
        add_fault(http, kind="latency", latency_ms=300, count=None, method="POST", path="replies")
        comment_ids = [post_comment(http, f"fan{n}", "下期買咩好") for n in range(8)]
        comments = open_comments(home)
        wait_until(lambda: comments.counts_by_state().get("replied", 0) >= 1, "the first reply")
        assert service.stop() == 0  # Ctrl-C: running replies finish, the rest wait in the queue
        http.delete("/sandbox/api/faults")
        # Comments made while the service is down: Meta keeps retrying their webhooks.
        comment_ids += [post_comment(http, f"late{n}", "give me numbers") for n in range(3)]
        service = start_service(home, simulator, graph_root)
        wait_until(lambda: replied_to(http, comment_ids), "replies to every comment")
        wait_until(lambda: settled(comments.counts_by_state), "the queue to drain")
        assert simulator.sender.wait_idle(10)
        assert_one_reply_each(http, comment_ids)
        health = service.health()
        assert health["mode"] == "instagram"
        assert health["accounts"][0]["has_token"] is True
    finally:
        service.kill()
