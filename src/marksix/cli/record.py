"""`marksix record`: the frozen ledger of the lines the bot handed out, per draw."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from marksix.cli.output import emit_json, json_option, locator, table

if TYPE_CHECKING:
    from marksix.autopilot.record_store import RecordRepository

DRAW_HELP = "A draw id (26/093) or draw date (2026-12-01); default: the latest frozen draw."


@click.group(invoke_without_command=True)
@click.option("--draw", "draw", default=None, help=DRAW_HELP)
@json_option
@click.pass_context
def record(ctx: click.Context, draw: str | None, as_json: bool) -> None:
    """The public record: every line the bot handed out for a draw, frozen at
    sales close (21:15) with a SHA-256 commitment, then set beside the result
    and beside what random play gives for that many lines.

    Lines handed out after sales close belong to the next draw. Every line has
    the same chance; the record shows what randomness looks like.

    \b
    Examples:
      marksix record
      marksix record --draw 26/093 --json
      marksix record export --draw 26/093 > ledger.json
      marksix record verify ledger.json
    """
    if ctx.invoked_subcommand is not None:
        return
    from marksix.autopilot.record import record_json, sentences

    repository = _repository()
    ledger = repository.get(draw) if draw else repository.latest()
    if ledger is None:
        if as_json:
            emit_json(None)
        else:
            click.echo("No ledger is frozen yet: the first freezes at 21:15 on the next draw day.")
        return
    if as_json:
        emit_json(record_json(ledger))
        return
    click.echo(
        f"Draw {ledger.label} ({ledger.draw_date.isoformat()}), frozen {ledger.frozen_at:%Y-%m-%d %H:%M} UTC"
    )
    click.echo(f"Commitment (SHA-256): {ledger.commitment}")
    settlement = ledger.settlement
    if settlement is not None:
        numbers = " ".join(f"{number:2d}" for number in settlement["numbers"])
        click.echo(f"Result: {numbers}  + {settlement['extra']:2d}")
        rows = [
            [
                tier,
                settlement["by_tier"][tier],
                f"{settlement['expected_by_tier'][tier]:.3g}",
                "{} to {}".format(*settlement["interval_by_tier"][tier]),
            ]
            for tier in settlement["by_tier"]
        ]
        click.echo(table(["Tier", "Ours", "Random play", "95% normal range"], rows))
    click.echo("")
    for sentence in sentences(ledger):
        click.echo(sentence)
    click.echo("18+ only. Help with gambling problems: 平和基金 1834 633.")


@record.command()
@click.option("--draw", "draw", required=True, help=DRAW_HELP)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here."
)
def export(draw: str, output: Path | None) -> None:
    """Export a draw's frozen ledger and its commitment as JSON.

    \b
    Examples:
      marksix record export --draw 26/093 -o ledger.json
    """
    ledger = _repository().get(draw)
    text = json.dumps(ledger.export(), ensure_ascii=False, indent=2, sort_keys=True)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {output} ({ledger.lines:,} lines, commitment {ledger.commitment})")


@record.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def verify(file: Path, as_json: bool) -> None:
    """Recompute the SHA-256 commitment of an exported ledger; exit 1 if it differs.

    When this machine holds the record, the commitment published for that
    draw is checked too, so a file rewritten with a new commitment also fails.

    \b
    Examples:
      marksix record verify ledger.json
    """
    from marksix.autopilot.record import verify_export
    from marksix.errors import NotFound

    text = file.read_text(encoding="utf-8")
    data = json.loads(text) if text.strip().startswith("{") else {}
    published = None
    draw_date = (data.get("ledger") or {}).get("draw_date") if isinstance(data, dict) else None
    if isinstance(draw_date, str):
        try:
            published = _repository(refresh_first=False).get(draw_date).commitment
        except NotFound:
            published = None
    ok, recomputed, claimed = verify_export(text, published)
    if as_json:
        emit_json({"ok": ok, "recomputed": recomputed, "claimed": claimed, "published": published})
    elif ok:
        click.echo(f"OK: the ledger matches its commitment {recomputed}")
    if not ok:
        if not as_json:
            click.echo(
                f"MISMATCH: the ledger hashes to {recomputed}, the file claims {claimed}"
                + (f" and the record published {published}" if published else ""),
                err=True,
            )
        sys.exit(1)


def _repository(*, refresh_first: bool = True) -> RecordRepository:
    from marksix.autopilot.record import open_record_engine, refresh
    from marksix.autopilot.record_store import RecordRepository

    where = locator()
    engine = open_record_engine(where)
    if refresh_first:
        return refresh(engine, where, dt.datetime.now(dt.UTC))
    return RecordRepository(engine)
