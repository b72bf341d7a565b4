"""`marksix demo`: the short tour that `make run` shows."""

from __future__ import annotations

import click

from marksix.cli.output import draw_archive

#: Strategies shown in the tour, one line each.
TOUR = ("random", "balanced", "hot")


@click.command()
@click.option("--seed", help="Seed the picks, for the same tour on every run.")
def demo(seed: str | None) -> None:
    """A short tour: the next draw, a few picks and a statistics summary.

    Everything comes from the bundled official history (plus any draws
    imported under MARKSIX_HOME); nothing touches the network.

    \b
    Examples:
      marksix demo
      marksix demo --seed 7
    """
    import datetime as dt

    from marksix.cli.picks import FOOTER
    from marksix.domain.picks import PickRequest, make_random, pick
    from marksix.domain.statistics import compute_statistics

    archive = draw_archive()
    history = archive.history()
    latest = history.latest
    upcoming = archive.next_draw(dt.datetime.now(dt.UTC))
    click.echo("marksix: honest Mark Six (六合彩) statistics and picks")
    click.echo(f"Latest draw in the history: {latest.describe()}")
    click.echo(
        f"Next draw{' ' + upcoming.draw_id if upcoming.draw_id else ''}: "
        f"{upcoming.draw_at:%a %d %b %Y, %H:%M} Hong Kong time "
        f"(sales close {upcoming.sales_close_at:%H:%M}"
        f"{'' if upcoming.announced else '; regular schedule'})"
    )
    if upcoming.jackpot:
        click.echo(f"Estimated jackpot: HK${upcoming.jackpot:,}")
    click.echo("")
    click.echo("Picks for that draw")
    rng = make_random(seed)
    for strategy in TOUR:
        result = pick(PickRequest(strategy=strategy), history, rng)
        numbers = " ".join(f"{number:2d}" for number in result.tickets[0])
        click.echo(f"  {strategy:<9} {numbers}")
        click.echo(f"            {result.note}")
    click.echo("")
    statistics = compute_statistics(history)
    frequency = statistics.frequency
    click.echo(f"Statistics over {statistics.draws:,} draws since {statistics.first_draw[1]}")
    click.echo("  Hot:  " + ", ".join(f"{n} ({frequency[n]}x)" for n in statistics.hot))
    click.echo("  Cold: " + ", ".join(f"{n} ({frequency[n]}x)" for n in statistics.cold))
    for sentence in statistics.verdict():
        click.echo(f"  {sentence}")
    click.echo("")
    click.echo("More: marksix stats, marksix backtest, marksix pick --help, marksix odds")
    click.echo(FOOTER)
