"""`/healthz` says "starting" (503) until the reply workers are warm, then ready (200).

The warm-up here is the real one, held at a gate until the test lets it go,
so "not ready yet" is observed for certain rather than by timing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marksix.config import Settings, load_settings
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions
from marksix.worker import build


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home", app_secret="readiness-secret", _env_file=None)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    opened, finished = threading.Event(), threading.Event()
    real = build.warm_up

    def held(worker: Any) -> None:
        opened.wait(60)
        real(worker)
        finished.set()

    monkeypatch.setattr(build, "warm_up", held)
    yield opened
    opened.set()
    finished.wait(60)


def test_healthz_is_starting_until_the_workers_are_warm(settings: Settings, gate: threading.Event) -> None:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=1))
    with TestClient(app) as client:
        waiting = client.get("/healthz")
        assert waiting.status_code == 503
        report = waiting.json()
        assert (report["ready"], report["status"]) == (False, "starting")
        assert "the reply worker is warming up" in report["alerts"]
        assert report["database"]["ok"] is True
        gate.set()
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        assert runtime._warm.wait(60)
        ready = client.get("/healthz")
        assert ready.status_code == 200
        assert ready.json()["ready"] is True and ready.json()["status"] == "ok"


def test_without_workers_in_this_process_there_is_nothing_to_wait_for(
    settings: Settings, gate: threading.Event
) -> None:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app) as client:
        report = client.get("/healthz")
        assert report.status_code == 200 and report.json()["ready"] is True
