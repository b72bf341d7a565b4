"""Fixtures for the dashboard tests: a real migrated SQLite store behind a
small runtime, the dashboard installed on a bare FastAPI app, and a client
that is already logged in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from ui_support import ACCOUNT_ID, CHROMIUM, CHROMIUM_ARGS, NOW, PASSWORD, FakeRuntime, log_in, make_app

from marksix.config import load_settings
from marksix.store.accounts import AccountRepository, load_cipher
from marksix.store.comments import CommentRepository


@pytest.fixture
def ui_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated once; each test gets a copy (migrating costs most of a second)."""
    from marksix.store.engine import make_engine, upgrade

    path = tmp_path_factory.mktemp("template") / "store.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def migrated_engine(tmp_path: Path, migrated_template: Path) -> Iterator[Engine]:
    from marksix.store.engine import make_engine

    copy = tmp_path / "store.sqlite3"
    shutil.copyfile(migrated_template, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


@pytest.fixture
def runtime(ui_home: Path, migrated_engine: Engine) -> FakeRuntime:
    settings = load_settings(home=ui_home, admin_password=PASSWORD, ig_username="marksix.sandbox")
    accounts = AccountRepository(migrated_engine, load_cipher(ui_home, None, sandbox=True))
    accounts.save(ACCOUNT_ID, "marksix.sandbox", now=NOW, token="sandbox-token")
    return FakeRuntime(settings=settings, comments=CommentRepository(migrated_engine), accounts=accounts)


@pytest.fixture
def app(runtime: FakeRuntime) -> FastAPI:
    return make_app(runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    log_in(client)
    return client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (browser downloads do not work here).

    Module scope, not session: Playwright's sync API leaves its event loop marked
    as running in this thread, which would break `asyncio.run` in later modules.
    """
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-HK")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
