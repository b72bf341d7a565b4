"""The popularity model's parameter files: the one that ships, and refits.

`marksix popularity fit` writes a refit to the data folder (or `--output`).
Everything else uses the shipped, versioned parameters unless a command is
given `--model PATH`: picks seeded with the same seed must be the same on
every machine (the bot seeds per-commenter picks), and a refit on the same
bundled draws gives the same parameters anyway. A user file is therefore
opt-in, never picked up silently.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from marksix.domain.popularity import PopularityModel
from marksix.errors import DataError

SHIPPED_NAME = "popularity_model.json"


@cache
def shipped_model() -> PopularityModel:
    """The parameters in the package (src/marksix/data/popularity_model.json)."""
    text = resources.files("marksix.data").joinpath(SHIPPED_NAME).read_text(encoding="utf-8")
    return PopularityModel.from_json(json.loads(text))


def user_model_path(home: Path) -> Path:
    """Where `marksix popularity fit` writes by default."""
    return home / SHIPPED_NAME


def load_model(path: Path | None = None) -> PopularityModel:
    """The model in `path`, or the shipped one; DataError names a bad file."""
    if path is None:
        return shipped_model()
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as problem:
        raise DataError(f"no popularity model at {path}; run `marksix popularity fit` first") from problem
    except (OSError, ValueError) as problem:
        raise DataError(f"cannot read the popularity model {path}: {problem}") from problem
    try:
        return PopularityModel.from_json(payload)
    except DataError as problem:
        raise DataError(f"{path}: {problem}") from problem


def save_model(model: PopularityModel, path: Path) -> None:
    """Write atomically: a crash never leaves a half-written model behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model.to_json(), ensure_ascii=False, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
