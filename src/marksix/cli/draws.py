"""`marksix draws`: the official draw history."""

from __future__ import annotations

import click

from marksix.cli.output import emit_json, home, json_option
from marksix.domain.draws import Draw


def _print_draws(draws: list[Draw], as_json: bool) -> None:
    if as_json:
        emit_json([draw.to_json() for draw in draws])
        return
    for draw in draws:
        click.echo(draw.describe())


@click.group()
def draws() -> None:
    """Show, import and update the official 6/49 draw history (2002 onwards).

    The bundled history ships with the package; draws you import or fetch
    are kept in the database under MARKSIX_HOME and added on top.
    """


@draws.command()
@json_option
def latest(as_json: bool) -> None:
    """Show the most recent draw."""
    from marksix.archive import load_history

    draw = load_history(home()).latest
    if as_json:
        emit_json(draw.to_json())
    else:
        click.echo(draw.describe())


@draws.command(name="list")
@click.option(
    "--last",
    "count",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many of the most recent draws to show.",
)
@json_option
def list_draws(count: int, as_json: bool) -> None:
    """List the most recent draws, oldest first."""
    from marksix.archive import load_history

    _print_draws(list(load_history(home()).last(count)), as_json)


@draws.command()
@click.argument("draw_id")
@json_option
def show(draw_id: str, as_json: bool) -> None:
    """Show one draw by its id, for example 12/110."""
    from marksix.archive import load_history

    draw = load_history(home()).get(draw_id)
    if as_json:
        emit_json(draw.to_json())
    else:
        click.echo(draw.describe())
