"""Engines and migrations: SQLite pragmas, PostgreSQL through psycopg, and
the packaged Alembic scripts on both backends."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from marksix.errors import ConfigError, StoreError
from marksix.store import engine as store_engine_module
from marksix.store.base import metadata
from marksix.store.draw_tables import announced_draws, draw_prize_tiers, draw_prizes, draws
from marksix.store.engine import current_revision, make_engine, upgrade, write_transaction

DRAW_TABLES = {table.name for table in (draws, draw_prizes, draw_prize_tiers, announced_draws)}


def head_revision() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(store_engine_module.MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_sqlite_file_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'db.sqlite3'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert (tmp_path / "nested" / "db.sqlite3").exists()
    finally:
        engine.dispose()


def test_an_in_memory_database_is_shared_across_threads() -> None:
    engine = make_engine("sqlite://")
    upgrade(engine)
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(inspect(engine).has_table("draws")))
    thread.start()
    thread.join()
    assert seen == [True]


def test_sqlite_transactions_roll_back_ddl_and_data_together(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (id INTEGER)"))
        connection.execute(text("INSERT INTO scratch VALUES (1)"))
        raise RuntimeError("stop half way")
    assert not inspect(engine).has_table("scratch")
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url at all"])
def test_unsupported_or_malformed_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        make_engine(url)


def test_postgresql_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "psycopg" else real_find_spec(name)

    monkeypatch.setattr(store_engine_module.importlib.util, "find_spec", find_spec)
    with pytest.raises(ConfigError, match=r"pip install 'marksix\[postgres\]'"):
        make_engine("postgresql://marksix@127.0.0.1/marksix")


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    engine = make_engine("postgresql://marksix@127.0.0.1:1/marksix")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.dialect.driver == "psycopg"


# -- migrations (SQLite and PostgreSQL) --------------------------------------


def test_upgrade_builds_the_schema_the_tables_describe(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        upgrade(engine)  # a second run is a no-op
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= DRAW_TABLES
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        ours = [diff for diff in differences if _table_of(diff) in DRAW_TABLES]
        assert ours == []
    finally:
        engine.dispose()


def _table_of(diff: object) -> str | None:
    # compare_metadata gives tuples (or lists of tuples for column changes).
    first = diff[0] if isinstance(diff, list) else diff
    for part in first if isinstance(first, tuple) else ():
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if name in DRAW_TABLES:
            return str(name)
        if isinstance(part, str) and part in DRAW_TABLES:
            return part
    return None


def test_migrations_go_down_and_up_again(store_url: str) -> None:
    from alembic import command

    engine = make_engine(store_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            command.downgrade(store_engine_module.alembic_config(connection), "base")
        assert not DRAW_TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_from_a_newer_version_is_refused_clearly(store_engine: Engine) -> None:
    with store_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer marksix"):
        upgrade(store_engine)


def test_write_transaction_takes_the_sqlite_write_lock_up_front(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with engine.begin() as connection:  # a plain transaction that only reads
            connection.execute(text("SELECT count(*) FROM draws"))
            other.execute("BEGIN IMMEDIATE")  # another writer can still start
            other.execute("ROLLBACK")
        with write_transaction(engine) as connection:
            connection.execute(text("SELECT count(*) FROM draws"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        engine.dispose()
