"""One DrawArchive per data folder: the standard-library read of a SQLite file
gives exactly what the store gives, and what is read is kept until the stored
draws change."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hkjc_fake import load_fixture
from marksix.domain.calendar import HONG_KONG
from marksix.draws import hkjc, sqlite_reader
from marksix.draws.archive import DrawArchive
from marksix.draws.bundled import bundled_history
from marksix.errors import StoreError
from marksix.paths import Locator
from marksix.store.draw_archive import DrawRepository
from marksix.store.engine import make_engine, upgrade

NOW = dt.datetime(2026, 9, 6, 10, 0, tzinfo=HONG_KONG)
RESULTS = "marksixResult_20260811_20260930.json"
NEW_ROW = "26/097,2026-09-08,2,3,5,7,11,13,17"


def saved_folder(home: Path) -> DrawRepository:
    """A data folder holding HKJC's draws, prize figures and an announcement."""
    engine = make_engine(Locator.resolve(home).database_url)
    upgrade(engine)
    repository = DrawRepository(engine)
    records = load_fixture(RESULTS)["data"]["lotteryDraws"]
    parsed = [(hkjc.parse_result(record), record) for record in records]
    announcement = hkjc.parse_announcement(
        load_fixture("marksixDraw_20260906.json")["data"]["lotteryDraws"][1]
    )
    repository.save(
        new_draws=[draw for draw, _ in parsed if draw.draw_id not in bundled_history()],
        prizes=[hkjc.parse_prizes(record, draw) for draw, record in parsed],
        announcements=[announcement],
        source="test",
        now=NOW,
    )
    return repository


def test_the_standard_library_read_matches_the_store(tmp_path: Path) -> None:
    repository = saved_folder(tmp_path)
    try:
        stored = sqlite_reader.read(tmp_path / "marksix.sqlite3", None)
        assert stored is not None
        assert stored.draws == repository.draws()
        assert stored.prizes == repository.prizes()
        # Each reader's fingerprint is only compared with its own, so types may differ.
        assert stored.fingerprint[0::2] == repository.fingerprint()[0::2]
        announced = repository.announced_after(NOW)
        assert announced is not None
        assert sqlite_reader.announced_after(tmp_path / "marksix.sqlite3", NOW) == announced
        closing = announced.sales_close_at
        assert sqlite_reader.announced_after(tmp_path / "marksix.sqlite3", closing) is None
        assert repository.announced_after(closing) is None
    finally:
        repository.engine.dispose()


def test_reading_a_used_folder_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    saved_folder(tmp_path).engine.dispose()
    code = (
        "import sys, pathlib, datetime as dt\n"
        "from marksix.draws.archive import DrawArchive\n"
        "from marksix.paths import Locator\n"
        "archive = DrawArchive(Locator.resolve(pathlib.Path(sys.argv[1])))\n"
        "assert '26/096' in archive.history(); assert archive.prizes()['26/096'].dividends\n"
        "assert archive.next_draw(dt.datetime(2026, 9, 6, 2, tzinfo=dt.UTC)).announced\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'pydantic')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert result.stdout.strip() == "[]"


def test_a_held_archive_reads_again_only_when_draws_are_added(tmp_path: Path) -> None:
    saved_folder(tmp_path).engine.dispose()
    held = DrawArchive(Locator.resolve(tmp_path))
    first = held.history()
    assert held.history() is first  # nothing changed: nothing read again
    source = tmp_path / "new.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + NEW_ROW + "\n", encoding="utf-8")
    with DrawArchive(Locator.resolve(tmp_path)) as other:  # as another process would
        assert [draw.draw_id for draw in other.import_file(source, now=NOW).new_draws] == ["26/097"]
    assert "26/097" in held.history()
    assert held.history().latest.draw_id == "26/097"


def test_an_archive_sees_its_own_writes(tmp_path: Path) -> None:
    source = tmp_path / "new.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + NEW_ROW + "\n", encoding="utf-8")
    with DrawArchive(Locator.resolve(tmp_path)) as archive:
        assert archive.history() is bundled_history()
        archive.import_file(source, now=NOW)
        assert archive.history().latest.draw_id == "26/097"


def test_a_file_that_is_not_a_database_is_a_clear_store_error(tmp_path: Path) -> None:
    (tmp_path / "marksix.sqlite3").write_bytes(json.dumps({"not": "sqlite"}).encode() * 100)
    with pytest.raises(StoreError, match=r"marksix\.sqlite3"):
        DrawArchive(Locator.resolve(tmp_path)).history()


def test_on_every_backend_a_held_archive_sees_draws_another_one_adds(tmp_path: Path, store_url: str) -> None:
    source = tmp_path / "new.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + NEW_ROW + "\n", encoding="utf-8")
    with DrawArchive(Locator.resolve(tmp_path, store_url)) as held:
        before = held.history()
        assert held.history() is before
        with DrawArchive(Locator.resolve(tmp_path, store_url)) as other:
            other.import_file(source, now=NOW)
        assert held.history().latest.draw_id == "26/097"
        assert held.next_draw(NOW).announced is False


def last_line_in_a_fresh_process(code: str, home: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=home,
        env={**os.environ, "MARKSIX_HOME": str(home), "PYTHONWARNINGS": "error"},
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "command", [["pick", "--strategy", "hot"], ["odds"], ["check", "1", "2", "3", "4", "5", "6"]]
)
def test_fast_commands_on_a_used_folder_import_no_database_stack(tmp_path: Path, command: list[str]) -> None:
    saved_folder(tmp_path).engine.dispose()
    code = (
        "import sys\n"
        "from marksix.cli import main\n"
        f"main({command!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'pydantic')))\n"
    )
    assert last_line_in_a_fresh_process(code, tmp_path) == "[]"


def test_pick_on_an_empty_folder_reads_nothing_and_imports_no_reader(tmp_path: Path) -> None:
    """No database: no sqlite3, no prize figures (decimal), no json unless --json (bench_cli_startup)."""
    code = (
        "import sys\n"
        "from marksix.cli import main\n"
        "main(['pick'])\n"
        "avoided = ('sqlite3', 'decimal', 'json', 'marksix.domain.prizes')\n"
        "print(sorted(m for m in avoided if m in sys.modules))\n"
    )
    assert last_line_in_a_fresh_process(code, tmp_path) == "[]"
    assert not (tmp_path / "marksix.sqlite3").exists()
