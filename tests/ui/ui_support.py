"""Helpers shared by the UI tests: a stand-in runtime, the app, login, seeding."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from marksix.store.service_tables import comments
from marksix.web.auth import LoginThrottle
from marksix.web.dashboard import install_dashboard
from marksix.web.dashboard.interface import NullRuntime

PASSWORD = "correct horse battery staple"
ACCOUNT_ID = "17841400000000001"
NOW = dt.datetime(2026, 8, 24, 12, 0, tzinfo=dt.UTC)


@dataclass
class FakeRuntime(NullRuntime):
    """The dashboard's runtime interface over real repositories, with a recording Graph client."""

    sandbox: bool = True
    published: list[tuple[str, str, str]] = field(default_factory=list)
    #: What Graph answers for subscribed_apps; an exception to simulate a failure.
    subscriptions: list[dict[str, Any]] | Exception = field(
        default_factory=lambda: [{"subscribed_fields": ["comments", "live_comments"]}]
    )

    def language_context(self, account: Any = None) -> Any:
        from marksix.domain.calendar import next_scheduled_draw
        from marksix.draws.bundled import bundled_history, bundled_prizes
        from marksix.draws.popularity_model import shipped_model
        from marksix.language import ReplyContext

        return ReplyContext(
            history=bundled_history(),
            prizes=bundled_prizes(),
            popularity=shipped_model(),
            next_draw=next_scheduled_draw(NOW),
            secret="ui-test-secret",
            account_username="marksix.sandbox",
        )

    def graph_client(self, account_id: str) -> Any:
        runtime = self

        class Recorder:
            def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str:
                runtime.published.append((ig_user_id, image_url, caption))
                return "18000000000000042"

            def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]:
                if isinstance(runtime.subscriptions, Exception):
                    raise runtime.subscriptions
                return runtime.subscriptions

        return Recorder()


#: argon2 at its lowest cost: the tests check behaviour, not hashing strength.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def make_app(runtime: Any, throttle: LoginThrottle | None = None) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    app.state.marksix_password_hasher = FAST_HASHER
    if throttle is not None:
        app.state.marksix_login_throttle = throttle
    install_dashboard(app, runtime)
    return app


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def log_in(client: TestClient, password: str = PASSWORD) -> None:
    page = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login",
        data={"password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def seed_comment(engine: Engine, number: int, **values: Any) -> None:
    """A row of the reply log, as the worker would have left it."""
    received = NOW - dt.timedelta(minutes=number)
    row = {
        "account_id": ACCOUNT_ID,
        "comment_id": f"c{number:05d}",
        "username": f"user{number}",
        "text": f"comment {number}",
        "field": "comments",
        "is_self": 0,
        "source": "webhook",
        "state": "replied",
        "attempts": 1,
        "received_at": received,
        "updated_at": received,
        "finished_at": received + dt.timedelta(milliseconds=400),
        "latency_seconds": 0.4,
        "intent": "pick",
        "language": "zh-HK",
        "reply_text": f"reply {number}",
        "reply_path": "template",
        **values,
    }
    with engine.begin() as connection:
        connection.execute(comments.insert().values(**row))


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class LiveServer:
    """uvicorn serving `app` on a free loopback port, in a thread of its own.

    Playwright's sync API runs its own event loop in the test's thread, so the
    server's loop must live elsewhere.
    """

    def __init__(self, app: Any, listener: socket.socket | None = None) -> None:
        self.listener = listener or bind_loopback()
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.listener]}, name="ui-test-server", daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.listener.close()


def bind_loopback() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    return listener


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
