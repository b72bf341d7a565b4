"""Database fixtures for storage contract tests: the same test runs on SQLite
and on PostgreSQL, with a fresh, fully migrated schema each time.

Loaded as a plugin by tests/conftest.py. Use `store_engine` for a migrated
engine, or `store_url` for a URL to an empty database (to test migrations).
PostgreSQL cases need MARKSIX_TEST_POSTGRES_URL (set by .ci/run, or by hand:
`source .ci/services.sh; start_postgres`) and are skipped without it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "MARKSIX_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _postgres_schema_url(tmp_schema: str) -> Iterator[str]:
    from marksix.store.engine import make_engine

    base_url = os.environ.get(POSTGRES_ENV, "").strip()
    if not base_url:
        pytest.skip(f"{POSTGRES_ENV} is not set (start one with: source .ci/services.sh; start_postgres)")
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{tmp_schema}"'))
    # Every connection of the test's engine works inside the fresh schema only.
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={tmp_schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{tmp_schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    yield from _postgres_schema_url(f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def store_engine(store_url: str) -> Iterator[Engine]:
    """An engine on a fresh database migrated to the newest schema."""
    from marksix.store.engine import make_engine, upgrade

    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()
