"""Where user state lives, worked out in one place and without pydantic.

`Locator` answers every "where is it?" question: the data folder, the
database URL, the queue file, the cards and the articles folders. The fast commands build
one from the environment (`Locator.from_environment`); everything else gets
it from `Settings.locator`, which composes the same class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATABASE_FILE = "marksix.sqlite3"
QUEUE_FILE = "queue.sqlite3"


def default_home() -> Path:
    """The platform's user data folder (not created here)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("marksix", appauthor=False))


@dataclass(frozen=True, slots=True)
class Locator:
    """The data folder, and the configured database URL when there is one."""

    home: Path
    configured_database_url: str | None = None

    @classmethod
    def resolve(cls, home: Path | None, database_url: str | None = None) -> Locator:
        """`home` or the platform's folder; a blank URL counts as none."""
        url = database_url.strip() if database_url else None
        return cls(home.expanduser() if home is not None else default_home(), url or None)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Locator:
        """MARKSIX_HOME and MARKSIX_DATABASE_URL, read as Settings reads them."""
        configured = environ.get("MARKSIX_HOME", "").strip()
        return cls.resolve(Path(configured) if configured else None, environ.get("MARKSIX_DATABASE_URL"))

    @property
    def database_path(self) -> Path:
        """The default SQLite file in the data folder."""
        return self.home / DATABASE_FILE

    @property
    def database_url(self) -> str:
        """The configured URL, else the SQLite file in the data folder."""
        return self.configured_database_url or f"sqlite:///{self.database_path}"

    @property
    def sqlite_file(self) -> Path | None:
        """The database's file when it is a plain SQLite file URL (no options),
        so readers can use the standard library; None otherwise."""
        url = self.database_url
        prefix = "sqlite:///"
        if not url.startswith(prefix) or "?" in url:
            return None
        database = url[len(prefix) :]
        if database in ("", ":memory:"):
            return None
        return Path(database).expanduser()

    @property
    def queue_path(self) -> Path:
        """The SQLite queue file used when no Redis URL is set."""
        return self.home / QUEUE_FILE

    @property
    def cards_folder(self) -> Path:
        """Where published images (post cards, article covers) are saved, served under /media/cards/."""
        return self.home / "media" / "cards"

    @property
    def articles_folder(self) -> Path:
        """Where `marksix article write` puts an article by default, and the dashboard lists them."""
        return self.home / "articles"
