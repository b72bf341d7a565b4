"""Workers and the scheduler serve their own counters (`--metrics-port`), for Prometheus to scrape."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli_runner import run
from marksix.errors import ConfigError
from marksix.worker import metrics


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_metrics_serves_this_processes_counters() -> None:
    port = metrics.serve_metrics(0)
    before = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    metrics.REPLIES_SENT.labels("private").inc()
    after = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "marksix_replies_sent_total" in after

    def count(text: str) -> float:
        name = 'marksix_replies_sent_total{kind="private"}'
        lines = [line for line in text.splitlines() if line.startswith(name)]
        return float(lines[0].split()[-1]) if lines else 0.0

    assert count(after) == count(before) + 1


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(ConfigError, match=r"cannot serve metrics on 127\.0\.0\.1"):
            metrics.serve_metrics(taken.getsockname()[1])


def test_worker_and_scheduler_help_name_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("worker", "scheduler"):
        code, out, _err = run(capsys, command, "--help")
        assert code == 0 and "--metrics-port" in out


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child")
def test_a_worker_process_answers_on_its_metrics_port(tmp_path: Path) -> None:
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")}
    environment["MARKSIX_HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "marksix.worker", "--workers", "1", "--no-periodic"]
    worker = subprocess.Popen(
        [*command, "--metrics-port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        text = ""
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert "marksix_replies_sent" in text and "marksix_comments_received" in text
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        assert worker.stderr is not None
        worker.stderr.close()
