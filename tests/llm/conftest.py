"""Fixtures for the LLM tests: the fake OpenAI-compatible server and a reply context."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from fake_openai_server import FakeOpenAI, QuietServer, handler_for

from marksix.domain.calendar import next_scheduled_draw
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.draws.popularity_model import shipped_model
from marksix.language import ReplyContext


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI(url="")
    server = QuietServer(("127.0.0.1", 0), handler_for(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def llm_context() -> ReplyContext:
    return ReplyContext(
        history=bundled_history(),
        prizes=bundled_prizes(),
        popularity=shipped_model(),
        next_draw=next_scheduled_draw(dt.datetime(2026, 8, 23, 12, 0, tzinfo=dt.UTC)),
        secret="llm-test-secret",
    )
