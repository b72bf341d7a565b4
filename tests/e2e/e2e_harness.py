"""Run the real service (uvicorn on 127.0.0.1, worker threads, simulator) for end-to-end tests.

Two ways, because a thread cannot be killed:
- `InProcessService`: the sandbox app in a thread of the test process, its
  simulator mounted on the same port (what `marksix serve --sandbox` runs);
- `ServiceProcess`: the app in a child process (`run_service.py`) in real
  mode against a simulator served by the test process, so the test can
  SIGKILL it mid-reply and start it again on the same data folder.

Every wait is bounded; time scales (retries, leases, sweeps, webhook
retries) are compressed so a storm of failures settles in seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from marksix.cli.serve import listen
from marksix.config import Settings, load_settings
from marksix.sandbox import Simulator, SimulatorState
from marksix.web.app import create_app
from marksix.web.runtime import Runtime, ServeOptions, build_runtime, make_simulator
from marksix.worker.limits import Limits

APP_SECRET = "e2e-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
WAIT_SECONDS = 45.0

#: Production shapes, test speeds: back-off in tens of milliseconds, a dead worker noticed in 2 s.
FAST_LIMITS = Limits(
    commenter_cooldown=timedelta(0),
    retry_base=timedelta(milliseconds=50),
    retry_cap=timedelta(milliseconds=400),
    throttle_default=timedelta(milliseconds=200),
    usage_pause=timedelta(milliseconds=200),
    lease=timedelta(seconds=2),
    max_attempts=12,
    policy_base=timedelta(milliseconds=300),
    policy_cap=timedelta(seconds=2),
)
FAST_OPTIONS = {
    "limits": FAST_LIMITS,
    "sweep_every": 0.25,
    "reconcile_every": 1.0,
    "requeue_after": timedelta(seconds=1),
    "webhook_time_scale": 0.001,
    "simulator_latency_ms": 5.0,
}


def e2e_settings(home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "commenter_cooldown_seconds": 0,
        "_env_file": None,
    }
    return load_settings(**(values | overrides))


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll until `condition()` is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class ThreadServer:
    """uvicorn serving `app` on an already-bound socket, in a daemon thread."""

    def __init__(self, app: Any, listener: Any) -> None:
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.listener = listener
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [listener]}, name="e2e-server", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), "the server to start", 20)
        if not self.server.started:
            raise RuntimeError("the server thread died while starting")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.listener.close()


class InProcessService:
    """`marksix serve --sandbox` in this process, with fast time scales."""

    def __init__(
        self,
        home: Path,
        *,
        state: SimulatorState | None = None,
        worker_threads: int = 4,
        worker_process: bool = False,
    ) -> None:
        self.listener = listen("127.0.0.1", 0)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = e2e_settings(home)
        options = ServeOptions(
            sandbox=True,
            base_url=self.url,
            worker_threads=worker_threads,
            worker_process=worker_process,
            **FAST_OPTIONS,
        )
        simulator = make_simulator(self.settings, options, state=state)
        self.runtime: Runtime = build_runtime(self.settings, options, simulator=simulator)
        self.server = ThreadServer(create_app(self.settings, runtime=self.runtime), self.listener)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    @property
    def simulator(self) -> Simulator:
        assert self.runtime.simulator is not None
        return self.runtime.simulator

    def start(self) -> InProcessService:
        self.server.start()
        self.runtime.start()
        return self

    def stop(self) -> None:
        """A clean stop, as on Ctrl-C: the server first, then running replies finish."""
        self.server.stop()
        self.runtime.close()
        self.http.close()


def post_comment(http: httpx.Client, username: str, text: str, **extra: str) -> str:
    response = http.post("/sandbox/api/comments", json={"username": username, "text": text, **extra})
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["id"]
    return comment_id


def add_fault(http: httpx.Client, **fault: Any) -> None:
    response = http.post("/sandbox/api/faults", json=fault)
    assert response.status_code in (200, 201), response.text


def replies(http: httpx.Client) -> list[dict[str, str]]:
    response = http.get("/sandbox/api/replies")
    response.raise_for_status()
    result: list[dict[str, str]] = response.json()
    return result


def replied_to(http: httpx.Client, comment_ids: Iterable[str]) -> bool:
    wanted = set(comment_ids)
    return wanted <= {reply["comment_id"] for reply in replies(http)}


def assert_one_reply_each(http: httpx.Client, comment_ids: Iterable[str]) -> list[dict[str, str]]:
    """Zero lost and zero duplicate replies: every comment answered exactly once, nothing else."""
    wanted = list(comment_ids)
    every = replies(http)
    counts = Counter(reply["comment_id"] for reply in every)
    lost = [comment_id for comment_id in wanted if counts[comment_id] == 0]
    duplicated = {comment_id: count for comment_id, count in counts.items() if count > 1}
    unexpected = set(counts) - set(wanted)
    assert not lost, f"lost replies for {lost}"
    assert not duplicated, f"duplicate replies: {duplicated}"
    assert not unexpected, f"replies to comments nobody posted: {unexpected}"
    for reply in every:
        assert "18+" in reply["text"] and "1834 633" in reply["text"], reply["text"]
    return every


def settled(runtime_or_counts: Callable[[], dict[str, int]]) -> bool:
    """No comment is still waiting for the worker."""
    counts = runtime_or_counts()
    return not any(counts.get(state, 0) for state in ("received", "queued", "in_progress"))


@dataclass
class ServiceProcess:
    """The app in a child process (real mode, against the test's simulator); killable."""

    home: Path
    graph_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        env = {
            **os.environ,
            "MARKSIX_HOME": str(self.home),
            "MARKSIX_APP_SECRET": APP_SECRET,
            "MARKSIX_VERIFY_TOKEN": VERIFY_TOKEN,
            "MARKSIX_IG_ACCESS_TOKEN": "sandbox-access-token",
            "MARKSIX_IG_USER_ID": "17841400000000001",
            "MARKSIX_IG_USERNAME": "marksix.sandbox",
            "MARKSIX_GRAPH_HOST": self.graph_url,
            "MARKSIX_ENCRYPTION_KEY": _encryption_key(self.home),
            "MARKSIX_COMMENTER_COOLDOWN_SECONDS": "0",
        }
        script = Path(__file__).with_name("run_service.py")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(script)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.home.parent,
            )
        assert self.process.stdout is not None
        line = _read_line(self.process.stdout, timeout)
        if not line.startswith(b"PORT "):
            self.kill()
            raise RuntimeError(f"the service did not start; see {self.log_path}: {line!r}")
        self.port = int(line.split()[1])
        wait_until(self._healthy, "the service's /healthz", timeout)
        return self

    def _healthy(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no finally blocks; whatever was in flight stays in flight."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self._forget()

    def _forget(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def stop(self) -> int:
        """SIGINT, like Ctrl-C; the exit code."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(30)
        self._forget()
        return code

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(self.url + "/healthz", timeout=5).json()
        return result


def _encryption_key(home: Path) -> str:
    """One key per data folder, so a restarted process can read the tokens it stored."""
    from cryptography.fernet import Fernet

    path = home.parent / "e2e-encryption.key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
    return path.read_text().strip()


def _read_line(stream: Any, timeout: float) -> bytes:
    found: list[bytes] = []
    reader = threading.Thread(target=lambda: found.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0].strip() if found else b""
