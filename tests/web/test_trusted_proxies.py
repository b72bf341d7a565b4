"""X-Forwarded-For is ignored unless it comes from a configured trusted proxy.

The app runs under uvicorn exactly as `marksix serve` configures it
(cli.serve.server_config), and the clients connect from different loopback
addresses (127.0.0.1, .2, .3), so the address the login throttle sees is real.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

from marksix.cli.serve import server_config
from marksix.config import load_settings
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions

PASSWORD = "proxy test password 7"
ATTACKER, ADMIN, PROXY = "127.0.0.1", "127.0.0.2", "127.0.0.3"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(trusted_proxies: str) -> str:
        settings = load_settings(
            home=tmp_path / f"home{len(servers)}",
            admin_password=PASSWORD,
            trusted_proxies=trusted_proxies,
            _env_file=None,
        )
        app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
        app.state.marksix_password_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        server = uvicorn.Server(server_config(app, settings))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def client(url: str, source: str) -> httpx.Client:
    """A browser on `source`: its own session cookie and CSRF token."""
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=source), timeout=30)


def log_in(browser: httpx.Client, password: str, forwarded_for: str | None = None) -> int:
    page = browser.get("/dashboard/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = browser.post(
        "/dashboard/login", data={"password": password, "csrf_token": token}, headers=headers
    )
    return answer.status_code  # 303 to the dashboard when right (redirects are not followed)


def test_by_default_rotating_x_forwarded_for_does_not_escape_the_throttle(serve: object) -> None:
    url = serve("")  # type: ignore[operator]
    with client(url, ATTACKER) as attacker:
        codes = [log_in(attacker, "guess", forwarded_for=f"198.51.100.{n}") for n in range(6)]
    assert codes[:4] == [401, 401, 401, 401]
    assert 429 in codes[4:]  # every guess counted against the real address


def test_by_default_the_throttle_cannot_be_pointed_at_the_admin(serve: object) -> None:
    url = serve("")  # type: ignore[operator]
    with client(url, ATTACKER) as attacker:
        codes = [log_in(attacker, "guess", forwarded_for=ADMIN) for _ in range(6)]
    assert 429 in codes
    with client(url, ADMIN) as admin:
        assert log_in(admin, PASSWORD) == 303  # the admin's own address was never throttled


def test_a_trusted_proxy_is_believed_and_nobody_else_is(serve: object) -> None:
    url = serve(PROXY)  # type: ignore[operator]
    with client(url, PROXY) as proxy:
        codes = [log_in(proxy, "guess", forwarded_for="203.0.113.7") for _ in range(6)]
        assert 429 in codes  # the client behind the proxy is throttled ...
        assert log_in(proxy, "guess", forwarded_for="203.0.113.8") == 401  # ... not everyone behind it
    with client(url, ATTACKER) as attacker:  # not a trusted proxy: its header is ignored
        codes = [log_in(attacker, "guess", forwarded_for=f"198.51.100.{n}") for n in range(6)]
    assert 429 in codes
