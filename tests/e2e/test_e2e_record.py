"""The record counts exactly the lines the sandbox bot handed out, read from the worker's replies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import InProcessService, post_comment, replied_to, replies, settled, wait_until

from marksix.autopilot.record_store import collect_lines

ASKS = ("俾組號碼我", "give me 3 lines please", "想要有8號嘅號碼", "幫我揀 2 組")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[InProcessService]:
    running = InProcessService(tmp_path / "home").start()
    yield running
    running.stop()


def test_the_ledger_holds_every_line_in_the_replies_and_nothing_else(service: InProcessService) -> None:
    comment_ids = [post_comment(service.http, f"fan{n}", text) for n, text in enumerate(ASKS)]
    wait_until(lambda: replied_to(service.http, comment_ids), "the replies")
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    far = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    entries = collect_lines(service.runtime.engine, None, far)
    assert entries and {entry.comment_id for entry in entries} <= set(comment_ids)
    texts = {reply["comment_id"]: reply["text"] for reply in replies(service.http)}
    for entry in entries:
        shown = {int(number) for number in re.findall(r"\d{2}", texts[entry.comment_id])}
        assert set(entry.numbers) | set(entry.bankers) <= shown
    by_comment: dict[str, int] = {}
    for entry in entries:
        by_comment[entry.comment_id] = by_comment.get(entry.comment_id, 0) + 1
    for comment_id, count in by_comment.items():
        ball_lines = [line for line in texts[comment_id].splitlines() if len(re.findall(r"\d{2}", line)) >= 6]
        assert count <= len(ball_lines)
