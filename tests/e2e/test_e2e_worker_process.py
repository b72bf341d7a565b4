"""`marksix serve`'s layout: the reply worker in a child process, woken through a pipe.

The same guarantees as with in-process threads: every comment answered
exactly once, our own replies stored as skipped, and a stop that lets the
child finish and leaves no process behind.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import InProcessService, assert_one_reply_each, post_comment, replied_to, settled, wait_until

from marksix.store.comments import CommentKey

pytestmark = pytest.mark.slow


@pytest.fixture
def service(tmp_path: Path) -> Iterator[InProcessService]:
    running = InProcessService(tmp_path / "home", worker_threads=3, worker_process=True).start()
    yield running
    running.stop()


def test_the_child_worker_answers_each_comment_once(service: InProcessService) -> None:
    worker = service.runtime._worker_process
    assert worker is not None and worker.alive
    comment_ids = [post_comment(service.http, f"fan{n}", "俾組號碼我") for n in range(12)]
    wait_until(lambda: replied_to(service.http, comment_ids), "replies from the worker process", 60)
    assert service.simulator.sender.wait_idle(10)
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    for reply in assert_one_reply_each(service.http, comment_ids):
        echo = service.runtime.comments.get(CommentKey(service.simulator.state.account.id, reply["reply_id"]))
        assert (echo.state, echo.reason_code) == ("skipped", "own_comment")
    health = service.http.get("/healthz").json()
    assert health["worker"]["running"] is True
    assert health["queue"]["states"]["replied"] == 12


def test_stopping_the_server_stops_the_child(tmp_path: Path) -> None:
    running = InProcessService(tmp_path / "home", worker_threads=2, worker_process=True).start()
    worker = running.runtime._worker_process
    assert worker is not None
    first = post_comment(running.http, "amy", "give me numbers for the next draw")
    wait_until(lambda: replied_to(running.http, [first]), "a reply from the worker process", 60)
    running.stop()
    assert not worker.alive
    assert running.runtime.worker_running is False


def test_a_dead_worker_process_shows_in_health(tmp_path: Path) -> None:
    running = InProcessService(tmp_path / "home", worker_threads=1, worker_process=True).start()
    try:
        worker = running.runtime._worker_process
        assert worker is not None and worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        wait_until(lambda: not worker.alive, "the worker process to die")
        health = running.http.get("/healthz").json()
        assert health["worker"]["running"] is False
        assert "the reply worker is not running" in health["alerts"]
    finally:
        running.stop()


def test_metrics_count_the_replies_the_child_sent(service: InProcessService) -> None:
    """The counters live in the child; the web process's /metrics adds up both processes' files."""
    comment_ids = [post_comment(service.http, f"counted{n}", "俾組號碼我") for n in range(4)]
    wait_until(lambda: replied_to(service.http, comment_ids), "replies from the worker process", 60)
    assert service.simulator.sender.wait_idle(10)
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    text = service.http.get("/metrics").text
    assert 'marksix_replies_sent_total{kind="public"} 4.0' in text  # counted in the child
    # Received in this process: the 4 comments and our 4 replies coming back as webhooks.
    assert 'marksix_comments_received_total{source="webhook"} 8.0' in text
    assert 'marksix_comments_skipped_total{reason="own_comment"} 4.0' in text
    assert "marksix_reply_latency_seconds_count 4.0" in text


def test_the_metrics_folder_is_emptied_at_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stale = home / "metrics" / "counter_999999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an earlier run")  # unreadable: a scrape would fail on it
    running = InProcessService(home, worker_threads=1, worker_process=True).start()
    try:
        assert not stale.exists()
        assert running.http.get("/metrics").status_code == 200
    finally:
        running.stop()


def test_healthz_is_ready_once_the_child_is_warm(service: InProcessService) -> None:
    worker = service.runtime._worker_process
    assert worker is not None
    wait_until(lambda: service.http.get("/healthz").status_code == 200, "/healthz to say ready", 60)
    assert worker.warm  # the child said so through its pipe
    health = service.http.get("/healthz").json()
    assert health["ready"] is True and "the reply worker is warming up" not in health["alerts"]
    first = post_comment(service.http, "first", "俾組號碼我")
    wait_until(lambda: replied_to(service.http, [first]), "the first reply after start-up", 60)
