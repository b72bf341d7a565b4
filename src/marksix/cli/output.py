"""Options and output helpers that every command shares."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from marksix.draws.archive import DrawArchive
    from marksix.paths import Locator

F = TypeVar("F", bound=Callable[..., Any])


def json_option(function: F) -> F:
    """--json: print stable, documented JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys) instead of text.")(
        function
    )


def emit_json(payload: Any) -> None:
    import json  # only when asked: `marksix pick` without --json never needs it

    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def environment() -> dict[str, str]:
    """`.env` in the working folder under the real environment, as Settings reads
    them, without importing pydantic: the fast commands need only two values."""
    values: dict[str, str] = {}
    if Path(".env").is_file():
        from dotenv import dotenv_values

        values.update({key: value for key, value in dotenv_values(".env").items() if value is not None})
    values.update(os.environ)
    return values


def locator() -> Locator:
    """Where the data lives, read from the environment once, here at the edge,
    without pydantic: the fast commands need only this."""
    from marksix.paths import Locator

    return Locator.from_environment(environment())


def setting_file(value: Path | None, name: str) -> str | None:
    """A file a setting names (MARKSIX_CARD_FONT...), as a string; a clear error naming
    the setting when it is not there, as a bad --option would get."""
    if value is None:
        return None
    if not value.is_file():
        from marksix.errors import ConfigError

        raise ConfigError(f"{name}={value} is not a file")
    return str(value)


def draw_archive() -> DrawArchive:
    """The draws every command sees: the bundled ones plus those imported or fetched."""
    from marksix.draws.archive import DrawArchive

    return DrawArchive(locator())


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table."""
    cells = [[str(header) for header in headers], *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def numbers_argument(name: str, **kwargs: Any) -> Callable[[F], F]:
    return click.argument(name, nargs=-1, type=int, **kwargs)
