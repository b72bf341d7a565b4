"""`marksix draws`: the official draw history, and adding to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from marksix.cli.output import draw_archive, emit_json, json_option, table
from marksix.domain.draws import Draw
from marksix.domain.prizes import DrawPrizes

HKJC_GRAPHQL_URL = "https://info.cld.hkjc.com/graphql/base/"
TIER_NAMES = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th"}


def _draw_table(draws: Sequence[Draw]) -> str:
    rows = [
        (draw.draw_id, draw.date.isoformat(), " ".join(f"{n:2d}" for n in draw.numbers), draw.extra)
        for draw in draws
    ]
    return table(("Draw", "Date", "Numbers", "Extra"), rows)


def _units(value: object) -> str:
    text = f"{value:,f}" if value is not None else "-"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prize_table(prizes: DrawPrizes) -> str:
    lines: list[str] = []
    figures = [
        ("Turnover", prizes.turnover),
        ("Jackpot", prizes.jackpot),
        ("First prize fund", prizes.first_prize_fund),
    ]
    lines.extend(f"{name}: HK${value:,}" for name, value in figures if value is not None)
    if prizes.snowball_name:
        lines.append(f"Snowball: {prizes.snowball_name}")
    tiers = sorted(set(prizes.dividends) | set(prizes.winning_units))
    if tiers:
        rows = [
            (
                TIER_NAMES[tier],
                f"{prizes.dividends[tier]:,}" if tier in prizes.dividends else "-",
                _units(prizes.winning_units.get(tier)),
            )
            for tier in tiers
        ]
        lines.extend(["", table(("Prize", f"HK$ per HK${prizes.unit_price} unit", "Winning units"), rows)])
    else:
        lines.append("Dividends: not published in the data yet (try `marksix draws update`).")
    return "\n".join(lines)


@click.group()
def draws() -> None:
    """Show, import and update the official 6/49 draw history (2002 onwards).

    The bundled history ships with the package; draws you import or fetch
    are kept in the SQLite database under MARKSIX_HOME (or the database
    MARKSIX_DATABASE_URL names) and added on top.

    \b
    Examples:
      marksix draws latest
      marksix draws list --last 20
      marksix draws show 12/110 --json
      marksix draws import results.csv
      marksix draws update
    """


@draws.command()
@json_option
def latest(as_json: bool) -> None:
    """Show the most recent draw.

    \b
    Examples:
      marksix draws latest
      marksix draws latest --json
    """
    draw = draw_archive().history().latest
    if as_json:
        emit_json(draw.to_json())
    else:
        click.echo(_draw_table([draw]))


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
    """List the most recent draws, oldest first.

    \b
    Examples:
      marksix draws list
      marksix draws list --last 50 --json
    """
    recent = list(draw_archive().history().last(count))
    if as_json:
        emit_json([draw.to_json() for draw in recent])
    else:
        click.echo(_draw_table(recent))


@draws.command()
@click.argument("draw_id")
@json_option
def show(draw_id: str, as_json: bool) -> None:
    """Show one draw by its id (YY/NNN), with its prize figures when known.

    \b
    Examples:
      marksix draws show 12/110
      marksix draws show 26/092 --json
    """
    archive = draw_archive()
    draw = archive.history().get(draw_id)
    if as_json:
        emit_json(draw.to_json())
        return
    click.echo(_draw_table([draw]))
    prizes = archive.prizes().get(draw.draw_id)
    if prizes is not None:
        click.echo("")
        click.echo(_prize_table(prizes))


@draws.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def import_draws(file: Path, as_json: bool) -> None:
    """Import draws from a CSV file or an HKJC JSON result file.

    FILE is CSV in the bundled format (draw_id,date,n1,...,n6,extra), HKJC's
    GraphQL `marksixResult` response (or its `lotteryDraws` array), HKJC's
    legacy getJSON array, or the output of `marksix draws list --json`.

    Every row is checked first: six distinct numbers in 1-49, an extra number
    in range and not among them, a real date, a YY/NNN id. If any row is bad,
    or a draw contradicts a known one, nothing is imported and the command
    exits non-zero. Importing draws that are already known changes nothing.

    \b
    Examples:
      marksix draws import results.csv
      marksix draws import hkjc-2026Q3.json --json
    """
    with draw_archive() as archive:
        change = archive.import_file(file)
    if as_json:
        emit_json(change.to_json())
        return
    click.echo(f"{file}: {change.summary()}")
    if change.new_draws:
        click.echo(_draw_table(change.new_draws))


@draws.command()
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Fetch from this date (YYYY-MM-DD). Default: the oldest draw of the last year "
    "without dividends, else the day after the latest draw.",
)
@click.option(
    "--endpoint",
    default=HKJC_GRAPHQL_URL,
    show_default=True,
    help="HKJC's GraphQL URL (a mirror or a local test server).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True, help="Seconds per request."
)
@json_option
def update(since: dt.datetime | None, endpoint: str, timeout: float, as_json: bool) -> None:
    """Fetch new results, prize figures and the next draw from HKJC.

    Asks HKJC's results service one quarter at a time (progress goes to
    stderr), then stores everything in one transaction: if any request
    fails, nothing is written and the command exits non-zero.

    \b
    Examples:
      marksix draws update
      marksix draws update --since 2026-01-01 --json
    """
    from marksix.draws.hkjc import HkjcClient

    with HkjcClient(base_url=endpoint, timeout=timeout) as client, draw_archive() as archive:
        change = archive.update(
            client,
            since=since.date() if since else None,
            progress=lambda message: click.echo(message, err=True),
        )
    if as_json:
        emit_json(change.to_json())
        return
    click.echo(f"HKJC: {change.summary()}")
    if change.new_draws:
        click.echo(_draw_table(change.new_draws))
    upcoming = change.next_draw
    if upcoming is not None:
        closes = f"{upcoming.sales_close_at:%H:%M}"
        details = [f"Next draw: {upcoming.draw_id} on {upcoming.date}, sales close {closes} HKT"]
        if upcoming.jackpot is not None:
            details.append(f"jackpot HK${upcoming.jackpot:,}")
        if upcoming.estimated_first_prize is not None:
            details.append(f"estimated first prize HK${upcoming.estimated_first_prize:,}")
        click.echo(", ".join(details))
