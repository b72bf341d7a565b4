"""`marksix pick`: combinations for the next draw, with what the strategy did.

This is on the fast path: it imports nothing beyond click, numpy and the
pure picks module, and reads the draw history only for strategies that
weigh numbers by it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from marksix.cli.output import draw_archive, emit_json, json_option

if TYPE_CHECKING:
    from marksix.domain.calendar import NextDraw

F = TypeVar("F", bound=Callable[..., Any])
#: Strategies that never look at the history.
HISTORY_FREE = frozenset({"random", "balanced"})
FOOTER = "18+ only. Help with gambling problems: 平和基金 1834 633."


class NumberList(click.ParamType[tuple[int, ...]]):
    """Whole numbers given as `8`, or as a comma-separated list `8,18`."""

    name = "N[,N...]"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        numbers: list[int] = []
        for part in str(value).replace(" ", ",").split(","):
            if not part:
                continue
            try:
                numbers.append(int(part))
            except ValueError:
                self.fail(f"{part!r} is not a whole number", param, ctx)
        return tuple(numbers)


def _numbers_option(*names: str, help_text: str) -> Callable[[F], F]:
    return click.option(*names, type=NumberList(), multiple=True, help=help_text)


def _flat(groups: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    return tuple(number for group in groups for number in group)


def available_strategies() -> tuple[str, ...]:
    """Built-in strategies plus the lazy ones whose module is installed."""
    from importlib.util import find_spec

    from marksix.domain.picks import LAZY_STRATEGIES, WEIGHTINGS

    return (*WEIGHTINGS, *(name for name, module in LAZY_STRATEGIES.items() if find_spec(module)))


def _check_strategy(ctx: click.Context, param: click.Parameter, value: str) -> str:
    choices = available_strategies()
    if value not in choices:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(choices)}", ctx, param)
    return value


@click.command()
@click.option(
    "--strategy",
    "-s",
    default="random",
    show_default=True,
    callback=_check_strategy,
    metavar="NAME",
    help="random, hot, cold, overdue, balanced (and unpopular when installed).",
)
@_numbers_option("--include", "-i", help_text="Numbers every line must contain (repeat, or 8,18).")
@_numbers_option("--exclude", "-x", help_text="Numbers no line may contain (repeat, or 4,14).")
@click.option(
    "--size",
    type=int,
    default=6,
    show_default=True,
    help="Numbers per line: 6 is a single entry, 7 or more a multiple entry (複式).",
)
@_numbers_option("--bankers", "-b", help_text="Bankers (膽) in every line; needs --size 7 or more.")
@click.option("--lines", "-n", type=int, default=1, show_default=True, help="How many distinct lines.")
@click.option(
    "--seed", help="Any text or number: the same output on every run and machine (for the same history)."
)
@json_option
def pick(
    *,
    strategy: str,
    include: tuple[tuple[int, ...], ...],
    exclude: tuple[tuple[int, ...], ...],
    size: int,
    bankers: tuple[tuple[int, ...], ...],
    lines: int,
    seed: str | None,
    as_json: bool,
) -> None:
    """Draw combinations for the next draw.

    Every strategy honours --include, --exclude, --size and --bankers, and
    none of them changes the chance of winning: every combination has the
    same odds (1 in 13,983,816 for the first prize). Without --seed the
    randomness is the operating system's secure source.

    \b
    Strategies:
      random    uniform over the numbers allowed
      hot       weighted towards numbers drawn often in the last 100 draws
      cold      weighted towards numbers drawn rarely in the last 100 draws
      overdue   weighted towards numbers unseen for longest
      balanced  random, keeping well-spread shapes (odd/even, low/high, sum)

    \b
    Examples:
      marksix pick
      marksix pick --strategy balanced --lines 3
      marksix pick --strategy hot --include 8,18 --exclude 4 --seed 42
      marksix pick --size 8 --bankers 7 --json
    """
    from marksix.domain.picks import PickRequest, make_random
    from marksix.domain.picks import pick as draw_lines

    request = PickRequest(
        strategy=strategy,
        include=_flat(include),
        exclude=_flat(exclude),
        size=size,
        bankers=_flat(bankers),
        lines=lines,
    )
    archive = draw_archive()
    history = None if strategy in HISTORY_FREE else archive.history()
    popularity = None
    if strategy == "unpopular":
        from marksix.draws.popularity_model import shipped_model

        popularity = shipped_model()
    result = draw_lines(request, history, make_random(seed), popularity=popularity)
    if as_json:
        emit_json(result.to_json())
        return
    banked = set(result.bankers)
    click.echo(_heading(strategy, len(result.tickets), seed, archive.next_draw(dt.datetime.now(dt.UTC))))
    for ticket in result.tickets:
        legs = " ".join(f"{number:2d}" for number in ticket if number not in banked)
        prefix = "[" + " ".join(f"{number:2d}" for number in result.bankers) + "] + " if banked else ""
        click.echo(f"  {prefix}{legs}")
    click.echo(result.note)
    click.echo(FOOTER)


def _heading(strategy: str, count: int, seed: str | None, upcoming: NextDraw) -> str:
    lines = f"{count} line{'s' if count > 1 else ''}"
    seeded = f", seed {seed}" if seed is not None else ""
    which = f"draw {upcoming.draw_id} on" if upcoming.draw_id else "draw on"
    source = "" if upcoming.announced else " (regular schedule)"
    return f"{strategy}: {lines} for the {which} {upcoming.date:%a %d %b %Y}{seeded}{source}"
