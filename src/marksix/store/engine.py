"""Engines for the user's database: SQLite by default, PostgreSQL when configured.

`upgrade(engine)` brings any database to the schema this version expects,
by running the packaged Alembic migrations; every command that writes calls
it first, so there is no separate "init" step for users to forget.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from marksix.errors import ConfigError, StoreError, missing_extra

MIGRATIONS = Path(__file__).with_name("migrations")
#: How long a writer waits for another process's lock before giving up.
BUSY_TIMEOUT_MS = 5_000
IMMEDIATE_OPTION = "marksix_sqlite_immediate"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ConfigError(f"bad database URL {url!r}: {error}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return _postgres_engine(parsed)
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:///PATH or postgresql+psycopg://...")


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        # One shared connection, so every thread sees the same in-memory database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling defers BEGIN and skips it for
        # DDL; turning it off and emitting BEGIN ourselves (below) makes every
        # transaction, migrations included, really all-or-nothing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A transaction for read-then-write work (`with write_transaction(engine) as connection:`).

    On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
    concurrent writer makes it wait for busy_timeout instead of failing with
    "database is locked" when a read would be upgraded to a write. PostgreSQL
    needs nothing special: it is a plain `engine.begin()` there.
    """
    return engine.execution_options(**{IMMEDIATE_OPTION: True}).begin()


def _postgres_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "postgresql+psycopg" and importlib.util.find_spec("psycopg") is None:
        raise missing_extra("postgres", "psycopg")
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}
    try:
        return create_engine(url, **options)
    except ModuleNotFoundError as error:
        raise missing_extra("postgres", error.name or "psycopg") from None


def alembic_config(connection: Connection) -> Any:
    """An Alembic Config for the packaged migrations, bound to `connection`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the packaged migrations up to `revision` (all of them by default)."""
    from alembic import command
    from alembic.util import CommandError

    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except CommandError as error:
        raise StoreError(
            f"cannot migrate the database at {engine.url.render_as_string(hide_password=True)}: {error} "
            "(was it written by a newer marksix?)"
        ) from None
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot migrate the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{error.__class__.__name__}: {error}"
        ) from None


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
