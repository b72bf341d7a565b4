"""Where user state lives: MARKSIX_HOME when set, else the platform's data folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def data_home(environ: Mapping[str, str]) -> Path:
    """The folder for the database and other user state (not created here)."""
    configured = environ.get("MARKSIX_HOME", "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("marksix", appauthor=False))


def archive_path(home: Path) -> Path:
    """The SQLite file of imported and updated draws."""
    return home / "marksix.sqlite3"
