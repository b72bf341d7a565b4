"""Fixtures for the dashboard tests: a real migrated SQLite store behind a
small runtime, the dashboard installed on a bare FastAPI app, and a client
that is already logged in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from marksix.config import Settings, load_settings
from marksix.store.accounts import AccountRepository, load_cipher
from marksix.store.comments import CommentRepository
from marksix.store.service_tables import comments
from marksix.web.auth import LoginThrottle
from marksix.web.dashboard import install_dashboard

PASSWORD = "correct horse battery staple"
ACCOUNT_ID = "17841400000000001"
NOW = dt.datetime(2026, 8, 24, 12, 0, tzinfo=dt.UTC)


@dataclass
class Options:
    sandbox: bool = True
    public_url: str | None = None


@dataclass
class FakeRuntime:
    """The parts of the service's Runtime the dashboard reads (a test stand-in)."""

    settings: Settings
    comments: CommentRepository | None = None
    accounts: AccountRepository | None = None
    options: Options = field(default_factory=Options)
    published: list[tuple[str, str, str]] = field(default_factory=list)

    def graph_client(self, account_id: str) -> Any:
        runtime = self

        class Recorder:
            def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str:
                runtime.published.append((ig_user_id, image_url, caption))
                return "18000000000000042"

        return Recorder()


@pytest.fixture
def ui_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def migrated_engine(tmp_path: Path) -> Iterator[Engine]:
    from marksix.store.engine import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def runtime(ui_home: Path, migrated_engine: Engine) -> FakeRuntime:
    settings = load_settings(home=ui_home, admin_password=PASSWORD, ig_username="marksix.sandbox")
    accounts = AccountRepository(migrated_engine, load_cipher(ui_home, None, sandbox=True))
    accounts.save(ACCOUNT_ID, "marksix.sandbox", now=NOW, token="sandbox-token")
    return FakeRuntime(settings=settings, comments=CommentRepository(migrated_engine), accounts=accounts)


def make_app(runtime: Any, throttle: LoginThrottle | None = None) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    if throttle is not None:
        app.state.marksix_login_throttle = throttle
    install_dashboard(app, runtime)
    return app


@pytest.fixture
def app(runtime: FakeRuntime) -> FastAPI:
    return make_app(runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


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


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    log_in(client)
    return client


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
