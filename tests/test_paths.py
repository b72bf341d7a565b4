"""The one locator of user state: data folder, database, queue and cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from marksix.config import load_settings
from marksix.paths import Locator


def test_database_url_defaults_to_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    assert Locator.resolve(tmp_path, None).database_url == f"sqlite:///{tmp_path / 'marksix.sqlite3'}"
    assert Locator.resolve(tmp_path, "  ").database_url == f"sqlite:///{tmp_path / 'marksix.sqlite3'}"
    configured = Locator.resolve(tmp_path, "postgresql+psycopg://u@h/db")
    assert configured.database_url == "postgresql+psycopg://u@h/db"


def test_the_environment_names_the_home_and_the_database(tmp_path: Path) -> None:
    locator = Locator.from_environment({"MARKSIX_HOME": str(tmp_path), "MARKSIX_DATABASE_URL": ""})
    assert locator.home == tmp_path
    assert locator.queue_path == tmp_path / "queue.sqlite3"
    assert locator.cards_folder == tmp_path / "media" / "cards"
    assert locator.articles_folder == tmp_path / "articles"
    assert locator.sqlite_file == tmp_path / "marksix.sqlite3"


def test_without_a_home_the_platform_folder_is_used() -> None:
    assert Locator.from_environment({}).home.name == "marksix"


def test_only_plain_sqlite_file_urls_have_a_file(tmp_path: Path) -> None:
    assert Locator.resolve(tmp_path, f"sqlite:///{tmp_path / 'x.db'}").sqlite_file == tmp_path / "x.db"
    assert Locator.resolve(tmp_path, "sqlite:///:memory:").sqlite_file is None
    assert Locator.resolve(tmp_path, "sqlite://").sqlite_file is None
    assert Locator.resolve(tmp_path, f"sqlite:///{tmp_path / 'x.db'}?mode=ro").sqlite_file is None
    assert Locator.resolve(tmp_path, "postgresql+psycopg://u@h/db").sqlite_file is None


def test_settings_compose_the_same_locator(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, database_url="sqlite:////elsewhere/db.sqlite3")
    assert settings.locator == Locator.resolve(tmp_path, "sqlite:////elsewhere/db.sqlite3")


def test_settings_own_the_card_font_and_the_public_url(tmp_path: Path) -> None:
    settings = load_settings(card_font=tmp_path / "font.ttc", public_url="https://bot.example.hk")
    assert settings.card_font == tmp_path / "font.ttc"
    assert settings.public_url == "https://bot.example.hk"


def test_settings_read_the_studio_settings_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKSIX_CARD_FONT", str(tmp_path / "font.ttc"))
    monkeypatch.setenv("MARKSIX_FLUX_MODEL", str(tmp_path / "flux"))
    monkeypatch.setenv("MARKSIX_WORDPRESS_APP_PASSWORD", "abcd efgh")
    settings = load_settings()
    assert settings.card_font == tmp_path / "font.ttc"
    assert settings.flux_model == tmp_path / "flux"
    assert settings.wordpress_app_password is not None
    assert settings.wordpress_app_password.get_secret_value() == "abcd efgh"
    assert "abcd" not in repr(settings)


def test_settings_are_read_only_through_settings_and_the_locator() -> None:
    """No click `envvar=` and no getattr on settings or the runtime anywhere in src/."""
    import ast

    source = Path(__file__).resolve().parents[1] / "src" / "marksix"
    found: list[str] = []
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(source)}:{node.lineno}"
            found += [f"{where} envvar=" for keyword in node.keywords if keyword.arg == "envvar"]
            if isinstance(node.func, ast.Name) and node.func.id == "getattr" and node.args:
                target = ast.unparse(node.args[0])
                if target.split(".")[-1] in ("settings", "runtime"):
                    found.append(f"{where} getattr({target}, ...)")
    assert found == []
