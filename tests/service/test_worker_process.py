"""`python -m marksix.worker` as its own process: it drains the queue a web process fills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from service_fakes import ACCOUNT_ID, ACCOUNT_NAME, event

from marksix.config import load_settings
from marksix.store.comments import CommentKey
from marksix.worker.__main__ import main
from marksix.worker.queue import make_huey, register_tasks
from marksix.worker.runtime import build_services, open_store
from marksix.worker.service import utc_now


class _Graph(BaseHTTPRequestHandler):
    posted: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        comment_id = self.path.strip("/").split("/")[1]
        self.posted.append(comment_id)
        self._answer({"id": f"reply-{comment_id}"})

    def do_GET(self) -> None:
        self._answer({"data": []})


@pytest.fixture
def graph_url() -> Iterator[str]:
    _Graph.posted = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Graph)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_help_teaches() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "marksix worker" in result.output and "--no-periodic" in result.output


@pytest.mark.slow
def test_a_separate_worker_process_replies_and_stops_cleanly(tmp_path: Path, graph_url: str) -> None:
    home = tmp_path / "home"
    settings = load_settings(
        home=home, redis_url=None, database_url=None, ig_access_token=None, _env_file=None
    )
    _engine, comments, accounts = open_store(settings, sandbox=True)
    accounts.save(
        ACCOUNT_ID, ACCOUNT_NAME, now=utc_now(), token="IGAAT-x", settings={"graph_base_url": graph_url}
    )
    tasks = register_tasks(make_huey(settings), lambda: build_services(settings, comments, accounts))
    keys = []
    for n in range(3):
        incoming = event("俾個號碼我", username=f"fan{n}")
        assert tasks.submit(incoming)
        keys.append(CommentKey(ACCOUNT_ID, incoming.comment_id))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")} | {
        "MARKSIX_HOME": str(home)
    }
    log_path = tmp_path / "worker.log"
    log_file = log_path.open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "marksix.worker", "--workers", "2", "--no-periodic"],
        env=environment,
        cwd=tmp_path,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while comments.counts_by_state()["replied"] < len(keys):
            assert worker.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker process did not reply in time"
            time.sleep(0.1)
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0, log_path.read_text(errors="replace")
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        log_file.close()
    assert sorted(_Graph.posted) == sorted(key.comment_id for key in keys)
    record = comments.get(keys[0])
    assert record.reply_id == f"reply-{keys[0].comment_id}" and "1834 633" in (record.reply_text or "")
