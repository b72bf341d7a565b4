"""Every command reads the same archive: MARKSIX_HOME, or MARKSIX_DATABASE_URL when set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from marksix.cli import cli

NEW_DRAW = "draw_id,date,n1,n2,n3,n4,n5,n6,extra\n26/093,2026-08-25,1,9,17,22,38,45,30\n"


@pytest.mark.parametrize("use_url", [False, True])
def test_an_imported_draw_is_seen_by_draws_check_and_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_url: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKSIX_HOME", str(tmp_path / "home"))
    if use_url:
        monkeypatch.setenv("MARKSIX_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    source = tmp_path / "new.csv"
    source.write_text(NEW_DRAW, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["draws", "import", str(source)]).exit_code == 0
    assert (tmp_path / "elsewhere.sqlite3").exists() == use_url

    latest = json.loads(runner.invoke(cli, ["draws", "latest", "--json"]).output)
    assert latest["draw_id"] == "26/093"
    checked = runner.invoke(cli, ["check", "1", "9", "17", "22", "38", "2", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["draw_id"] == "26/093"
    stats = json.loads(runner.invoke(cli, ["stats", "--last", "1", "--json"]).output)
    assert stats["frequency"]["45"] == 1


def test_dotenv_in_the_working_folder_sets_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARKSIX_HOME", raising=False)
    monkeypatch.delenv("MARKSIX_DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text(f"MARKSIX_HOME={tmp_path / 'from-dotenv'}\n", encoding="utf-8")
    source = tmp_path / "new.csv"
    source.write_text(NEW_DRAW, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["draws", "import", str(source)]).exit_code == 0
    assert (tmp_path / "from-dotenv" / "marksix.sqlite3").exists()
    checked = runner.invoke(cli, ["check", "1", "9", "17", "22", "38", "2", "--json"])
    assert json.loads(checked.output)["draw_id"] == "26/093"
