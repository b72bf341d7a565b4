"""`marksix popularity fit|report` and `marksix ev`: the player-popularity model."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from marksix.domain.prizes import DrawPrizes

from marksix.cli.output import draw_archive, emit_json, json_option, numbers_argument, table

model_option = click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A model file written by `marksix popularity fit` (default: the shipped model).",
)


@click.group()
def popularity() -> None:
    """The player-popularity model: which combinations other players pick.

    Fitted to HKJC's winner counts per tier since 2002: when a tier has more
    winners than random play predicts, the drawn numbers were popular. It
    never changes anyone's chance of winning; it estimates how many people a
    win would be shared with.

    \b
    Examples:
      marksix popularity report
      marksix popularity report --json
      marksix popularity fit --output /tmp/model.json
    """


def _verdict(fit: dict[str, Any]) -> str:
    baseline, model = fit.get("baseline_error"), fit.get("model_error")
    if not baseline or model is None:
        return "No holdout figures in this model file."
    gain = 1 - model / baseline
    if gain < 0.05:
        return f"The model barely beats uniform play on the holdout ({gain:.0%} less error)."
    return (
        f"On draws it never saw, the model's error is {gain:.0%} below uniform play's "
        f"({model:.4f} against {baseline:.4f})."
    )


def _report_payload(model: Any) -> dict[str, Any]:
    from marksix.domain.popularity_fit import strongest_effects

    fit = dict(model.fit)
    return {
        "version": model.version,
        "fit_draws": fit.get("fit_draws"),
        "holdout_draws": fit.get("holdout_draws"),
        "metric": fit.get("metric"),
        "metric_text": fit.get("metric_text"),
        "baseline_error": fit.get("baseline_error"),
        "model_error": fit.get("model_error"),
        "fit_range": fit.get("fit_range"),
        "holdout_range": fit.get("holdout_range"),
        "holdout_by_tier": fit.get("holdout_by_tier"),
        "final_fit_draws": fit.get("final_fit_draws"),
        "final_fit_range": fit.get("final_fit_range"),
        "verdict": _verdict(fit),
        "first_prize_check": fit.get("first_prize_check"),
        "numbers": strongest_effects(model.parameters),
        "parameters": model.parameters.to_json(),
    }


def _print_report(payload: dict[str, Any]) -> None:
    parameters = payload["parameters"]
    click.echo(f"Popularity model {payload['version']}")
    fit_range, holdout_range = payload.get("fit_range") or {}, payload.get("holdout_range") or {}
    click.echo(
        f"Validated forward: fitted on {payload['fit_draws']:,} draws "
        f"({fit_range.get('from')} .. {fit_range.get('to')}), tested on {payload['holdout_draws']:,} later "
        f"draws ({holdout_range.get('from')} .. {holdout_range.get('to')})."
    )
    click.echo(f"Metric: {payload['metric_text']}")
    rows: list[tuple[object, ...]] = [
        (tier, f"{figures['baseline_error']:.4f}", f"{figures['model_error']:.4f}")
        for tier, figures in (payload.get("holdout_by_tier") or {}).items()
    ]
    rows.append(("all", f"{payload['baseline_error']:.4f}", f"{payload['model_error']:.4f}"))
    click.echo(table(("tier", "uniform play", "model"), rows))
    click.echo(payload["verdict"])
    check = payload.get("first_prize_check")
    if check:
        click.echo(
            f"\nCheck on 1st-prize winners (never used in the fit), {check['draws']:,} draws "
            "grouped by how popular the model says the drawn line was:"
        )
        click.echo(
            table(
                ("model popularity", "draws", "recorded units", "model", "uniform play"),
                [
                    (
                        f"x{group['popularity_from']:.2f}-{group['popularity_to']:.2f}",
                        group["draws"],
                        f"{group['actual_units']:.1f}",
                        f"{group['model_units']:.1f}",
                        f"{group['uniform_units']:.1f}",
                    )
                    for group in check["groups"]
                ],
            )
        )
    click.echo(f"\nRandom play (Quick Pick and the like): about {parameters['random_share']:.0%} of units.")
    click.echo(f"Most picked numbers: {', '.join(map(str, payload['numbers']['most_popular']))}")
    click.echo(f"Least picked numbers: {', '.join(map(str, payload['numbers']['least_popular']))}")
    habits = {
        "all six 1-31 (birthdays)": parameters["birthday_effect"],
        "numbers of the previous draw (each)": parameters["previous_draw_effect"],
        **{name.replace("_", " "): value for name, value in parameters["shape_effects"].items()},
    }
    click.echo("Habits (weight multiplier on a chosen line):")
    for name, value in habits.items():
        click.echo(f"  {name:38s} x{math.exp(value):.2f}")
    click.echo("Every combination still has the same chance of being drawn.")


@popularity.command()
@model_option
@json_option
def report(model_path: Path | None, as_json: bool) -> None:
    """Show how well the model predicts winner counts, against uniform play.

    The JSON has `version`, `fit_draws`, `holdout_draws`, `metric`,
    `baseline_error` and `model_error` (the holdout errors), plus per-tier
    figures and the parameters.

    \b
    Examples:
      marksix popularity report
      marksix popularity report --json
      marksix popularity report --model ~/refit.json
    """
    from marksix.draws.popularity_model import load_model

    payload = _report_payload(load_model(model_path))
    if as_json:
        emit_json(payload)
        return
    _print_report(payload)


@popularity.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (default: popularity_model.json in the data folder).",
)
@click.option(
    "--holdout-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First date of the validation draws (default 2022-01-01).",
)
@click.option(
    "--max-evaluations",
    type=click.IntRange(100),
    default=4000,
    show_default=True,
    help="Cap on model evaluations per fit (each fit stops earlier once it converges).",
)
@json_option
def fit(output: Path | None, holdout_from: dt.datetime | None, max_evaluations: int, as_json: bool) -> None:
    """Refit the model on the draw history and its winner counts.

    Fits on draws before --holdout-from, reports the error on the later draws
    against uniform play, then refits on every draw and writes the model. It
    takes a minute or two; progress goes to stderr. Use the result with
    `--model PATH` (the shipped model stays the default, so seeded picks are
    the same on every machine).

    \b
    Examples:
      marksix popularity fit
      marksix popularity fit --output /tmp/model.json --holdout-from 2020-01-01
    """
    from marksix.domain.popularity_fit import DEFAULT_HOLDOUT_FROM, fit_model
    from marksix.draws.popularity_model import save_model, user_model_path

    archive = draw_archive()
    target = output or user_model_path(archive.locator.home)
    model = fit_model(
        archive.history(),
        archive.prizes(),
        holdout_from=holdout_from.date() if holdout_from else DEFAULT_HOLDOUT_FROM,
        today=dt.datetime.now(dt.UTC).date(),
        progress=lambda message: click.echo(message, err=True),
        max_evaluations=max_evaluations,
    )
    save_model(model, target)
    payload = _report_payload(model)
    if as_json:
        emit_json({**payload, "written_to": str(target)})
        return
    _print_report(payload)
    click.echo(f"\nWritten to {target}")


def _latest_figures(prizes: dict[str, DrawPrizes]) -> tuple[str, int, int]:
    from marksix.errors import NotFound

    published = [p for p in prizes.values() if p.turnover and p.jackpot is not None]
    if not published:
        raise NotFound("no draw has published turnover and jackpot; give --turnover and --jackpot")
    latest = max(published, key=lambda p: (p.date, p.draw_id))
    return latest.draw_id, int(latest.turnover or 0), int(latest.jackpot or 0)


@click.command()
@numbers_argument("numbers", required=True)
@click.option("--turnover", type=int, help="Expected turnover in HK$ (default: the latest draw's).")
@click.option(
    "--jackpot",
    type=int,
    help="Jackpot and Snowball added to the 1st division fund, HK$ (default: the latest draw's).",
)
@model_option
@json_option
def ev(
    numbers: tuple[int, ...],
    turnover: int | None,
    jackpot: int | None,
    model_path: Path | None,
    as_json: bool,
) -> None:
    """Expected return of one HK$10 line in the next draw, tier by tier.

    Fixed tiers (4th-7th) are exact. The shared 1st-3rd prizes use HKJC's
    pool rules and the popularity model's estimate of how many others would
    share the win. The chance of winning is the same for every line: only the
    share differs. With no figures given, the latest draw's turnover and
    jackpot are used.

    \b
    Examples:
      marksix ev 1 2 3 4 5 6
      marksix ev 3 19 27 38 44 46 --jackpot 60000000 --turnover 120000000
      marksix ev 7 8 9 11 12 18 --json
    """
    from marksix.domain.expected_value import STAKE, expected_value, published_pool_ratio
    from marksix.domain.tickets import Ticket
    from marksix.draws.popularity_model import load_model

    Ticket.parse(numbers, ())  # names duplicates and out-of-range numbers
    archive = draw_archive()
    source = "given"
    if turnover is None or jackpot is None:
        draw_id, latest_turnover, latest_jackpot = _latest_figures(archive.prizes())
        source = f"draw {draw_id}" if turnover is None and jackpot is None else f"given and draw {draw_id}"
        turnover = latest_turnover if turnover is None else turnover
        jackpot = latest_jackpot if jackpot is None else jackpot
    model = load_model(model_path)
    history = archive.history()
    previous = history.latest.numbers if len(history) else ()
    result = expected_value(numbers, model.parameters, turnover=turnover, jackpot=jackpot, previous=previous)
    check = published_pool_ratio(archive.prizes().values())
    pool_check = None if check is None else {"draws": check[1], "median_ratio": round(check[0], 4)}
    if as_json:
        emit_json(
            {
                **result.to_json(),
                "figures_from": source,
                "model_version": model.version,
                "published_pool_check": pool_check,
            }
        )
        return
    click.echo(
        f"Line {' '.join(f'{n:2d}' for n in result.numbers)}: HK${turnover:,} turnover, "
        f"HK${jackpot:,} jackpot ({source})"
    )
    rows = [
        (
            tier.tier,
            tier.match,
            f"1 in {float(1 / tier.probability):,.0f}",
            f"HK${tier.prize_if_won:,.0f}",
            "-" if tier.co_winners is None else f"{tier.co_winners:,.2f}",
            f"HK${tier.contribution:.4f}",
        )
        for tier in result.tiers
    ]
    click.echo(table(("tier", "match", "chance", "prize if won", "others sharing", "expected"), rows))
    click.echo(
        f"Expected return: HK${result.expected_return:.2f} per HK${STAKE} "
        f"(HK${result.uniform_return:.2f} if every player chose at random)."
    )
    if result.expected_return < STAKE:
        click.echo(f"On average this line loses HK${STAKE - result.expected_return:.2f} of every HK${STAKE}.")
    else:
        click.echo("The jackpot lifts the average above the stake; most lines still win nothing.")
    click.echo("Your chance to win is the same for every line; popularity only changes the share.")
    if check is not None and abs(check[0] - 1) > 0.02:
        click.echo(
            f"Caution: on the last {check[1]} draws HKJC's 3rd-prize dividends imply a shared pool "
            f"{check[0]:.0%} of what these rules give for the published turnover, so the 1st-3rd "
            "prize figures may be high."
        )
