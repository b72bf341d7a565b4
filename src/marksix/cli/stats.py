"""`marksix stats` and `marksix backtest`: what the history shows, honestly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from marksix.cli.output import draw_archive, emit_json, json_option, table

if TYPE_CHECKING:
    from marksix.domain.backtest import Backtest
    from marksix.domain.statistics import Distribution, Statistics

DISTRIBUTION_TITLES = {
    "odd": "Odd numbers in a draw",
    "low": "Low numbers (1-24) in a draw",
    "sum": "Sum of the six numbers",
    "consecutive_pairs": "Consecutive pairs in a draw",
    "colour": "Ball colours (all drawn balls)",
    "last_digit": "Last digits (all drawn balls)",
}
F = TypeVar("F", bound=Callable[..., Any])
#: Equal lengths, so the wide CJK characters still line up in tables.
COLOUR_LABELS = {"red": "紅 red  ", "blue": "藍 blue ", "green": "綠 green"}


def _last_option(help_text: str) -> Callable[[F], F]:
    return click.option("--last", "count", type=click.IntRange(min=1), default=None, help=help_text)


@click.command()
@_last_option("Use only the most recent N draws (default: the whole 6/49 history).")
@json_option
def stats(count: int | None, as_json: bool) -> None:
    """Frequencies, gaps, pairs and patterns, each beside what chance gives.

    Works over every official 6/49 draw since 2002-07-04, or the last N.
    Ends with the honest verdict: a chi-square test of the frequencies
    against a fair draw, and the band that "hot" and "cold" counts fall in
    by pure chance. Past draws do not predict future ones.

    \b
    JSON keys: draws, frequency and extra_frequency ("1".."49"),
    since_last_seen, longest_gap, hot, cold, top_pairs, distributions,
    sum, chi_square (statistic, p_value, dof), chance_band, verdict.

    \b
    Examples:
      marksix stats
      marksix stats --last 100
      marksix stats --json
    """
    from marksix.domain.statistics import compute_statistics

    statistics = compute_statistics(draw_archive().history().last(count))
    if as_json:
        emit_json(statistics.to_json())
        return
    click.echo(_stats_text(statistics))


def _stats_text(statistics: Statistics) -> str:
    from marksix.domain.colours import colour_of
    from marksix.domain.draws import POOL
    from marksix.domain.statistics import sum_moments

    frequency, extra = statistics.frequency, statistics.extra_frequency
    first_id, first_date = statistics.first_draw
    last_id, last_date = statistics.last_draw
    lines = [
        f"Mark Six 6/49 statistics: {statistics.draws:,} draws, "
        f"{first_id} ({first_date}) to {last_id} ({last_date})",
        "",
        f"Per number (chance: {statistics.expected_frequency:.1f} draws each, "
        f"{statistics.expected_extra_frequency:.1f} as the extra)",
    ]
    rows = [
        (
            number,
            COLOUR_LABELS[colour_of(number)],
            int(frequency[number]),
            int(extra[number]),
            "never" if statistics.since_last_seen[number] < 0 else int(statistics.since_last_seen[number]),
            int(statistics.longest_gap[number]),
        )
        for number in range(1, POOL + 1)
    ]
    lines.append(table(("no", "colour", "drawn", "extra", "draws since", "longest gap"), rows))
    lines += [
        "",
        "Hot (most drawn):   " + ", ".join(f"{n} ({frequency[n]})" for n in statistics.hot),
        "Cold (least drawn): " + ", ".join(f"{n} ({frequency[n]})" for n in statistics.cold),
        f"Top pairs (chance: {statistics.expected_pair_count:.1f} each): "
        + ", ".join(f"{a}+{b} ({count})" for a, b, count in statistics.top_pairs),
        "",
        "Patterns: draws seen vs what chance gives",
    ]
    for name, distribution in statistics.distributions.items():
        lines += ["", DISTRIBUTION_TITLES[name], _distribution_table(distribution)]
    chance = sum_moments()
    lines += [
        "",
        f"Sum: mean {statistics.sum_mean:.1f} (chance {chance['expected_mean']:.1f}), "
        f"sd {statistics.sum_sd:.1f} (chance {chance['expected_sd']:.1f})",
        "",
        "Verdict",
        *(f"  {sentence}" for sentence in statistics.verdict()),
    ]
    return "\n".join(lines)


def _distribution_table(distribution: Distribution) -> str:
    labels = [COLOUR_LABELS.get(label, label) for label in distribution.labels]
    return table(
        ("", *labels),
        [
            ("seen", *distribution.observed),
            ("chance", *(f"{value:.1f}" for value in distribution.expected)),
        ],
    )


@click.command()
@click.option(
    "--strategy",
    default="all",
    show_default=True,
    metavar="NAME|all",
    help="random, hot, cold, overdue, balanced, or all of them.",
)
@_last_option("Score only the most recent N draws (default: every draw after the first 100).")
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed for the strategies' random choices (default: 20020704, the first 6/49 draw's date).",
)
@json_option
def backtest(strategy: str, count: int | None, seed: int | None, as_json: bool) -> None:
    """Walk-forward test of the pick strategies against pure chance.

    For each draw, each strategy picks one line using only the draws before
    it, and the line is scored against that draw. A line picked in advance
    matches 36/49 = 0.735 numbers a draw on average under a fair draw,
    whatever the strategy; the test says whether any strategy's mean
    differs from that, adjusting for the several strategies tested (Holm).
    The first 100 draws are the hot/cold window and are not scored.

    \b
    Examples:
      marksix backtest
      marksix backtest --strategy hot --last 500
      marksix backtest --json
    """
    from marksix.domain.backtest import BACKTEST_STRATEGIES, DEFAULT_SEED, run_backtest
    from marksix.errors import InputError

    if strategy == "all":
        chosen = BACKTEST_STRATEGIES
    elif strategy in BACKTEST_STRATEGIES:
        chosen = (strategy,)
    elif strategy == "unpopular":
        raise InputError(
            "the unpopular strategy is not replayed: it aims at a bigger share of a prize, not at "
            "matching more numbers, which no strategy can do; see `marksix ev` for its effect"
        )
    else:
        raise InputError(
            f"cannot backtest strategy {strategy!r}; choose one of {', '.join(BACKTEST_STRATEGIES)} or all"
        )
    result = run_backtest(
        draw_archive().history(), chosen, last=count, seed=DEFAULT_SEED if seed is None else seed
    )
    if as_json:
        emit_json(result.to_json())
        return
    click.echo(_backtest_text(result))


def _backtest_text(result: Backtest) -> str:
    from marksix.domain.backtest import EXPECTED_MATCHES
    from marksix.domain.rules import TIERS

    low, high = result.chance_interval
    lines = [
        f"Walk-forward backtest: {result.draws:,} draws ({result.first_draw} to {result.last_draw}), "
        f"one line per draw per strategy, seed {result.seed}.",
        "Each line is picked from the draws before its draw only.",
        f"A line picked at random matches {EXPECTED_MATCHES} = {float(EXPECTED_MATCHES):.4f} numbers a draw "
        f"on average; 95% of random runs this long land within {low:.4f}-{high:.4f}.",
        "",
        table(
            ("strategy", "mean matched", "95% CI", "p", "p (Holm)"),
            [
                (
                    item.strategy,
                    f"{item.mean_matches:.4f}",
                    f"{item.interval[0]:.4f}-{item.interval[1]:.4f}",
                    f"{item.p_value:.3f}",
                    f"{item.p_adjusted:.3f}",
                )
                for item in result.results
            ],
        ),
        "",
        "Prizes won (tier: lines that won it; chance = what random lines win on average)",
        table(
            ("tier", "match", *(item.strategy for item in result.results), "chance"),
            [
                (
                    tier.number,
                    tier.label,
                    *(item.tier_hits[tier.number] for item in result.results),
                    f"{float(result.draws * tier.probability):.2f}",
                )
                for tier in TIERS
            ],
        ),
        "",
        f"Verdict: {result.verdict()}",
    ]
    return "\n".join(lines)
