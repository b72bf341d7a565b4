"""`marksix odds` and `marksix check`: the rules, exactly."""

from __future__ import annotations

from fractions import Fraction

import click

from marksix.cli.output import draw_archive, emit_json, json_option, numbers_argument, table

#: Winning entries `check` lists before it only counts them (tier by tier); --all lists every one.
LIST_CAP = 50
#: Up to this many entries, --json lists each entry, winning or not (the full check).
JSON_ENTRIES_CAP = 10_000


def _fraction_json(value: Fraction) -> int | str:
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


@click.command()
@json_option
def odds(as_json: bool) -> None:
    """Exact odds of each prize tier for one HK$10 single entry.

    Computed from combinatorics with integers and fractions: C(49,6) =
    13,983,816 possible entries. In JSON, `odds` is the N of "1 in N" and
    `probability` an exact fraction, both as strings when not whole.
    """
    from marksix.domain.rules import COMBINATIONS, TIERS, any_prize_probability

    if as_json:
        emit_json(
            [
                {
                    "tier": tier.number,
                    "match": tier.label,
                    "winning_combinations": tier.winning_combinations,
                    "odds": _fraction_json(tier.odds),
                    "probability": _fraction_json(tier.probability),
                    "odds_decimal": round(float(tier.odds), 2),
                    "probability_decimal": float(tier.probability),
                }
                for tier in TIERS
            ]
        )
        return
    rows: list[tuple[object, ...]] = [
        (
            tier.number,
            tier.label,
            f"{tier.winning_combinations:,}",
            f"1 in {float(tier.odds):,.2f}",
            f"{float(tier.probability):.3e}",
        )
        for tier in TIERS
    ]
    anything = any_prize_probability()
    rows.append(
        (
            "any",
            "",
            f"{int(anything * COMBINATIONS):,}",
            f"1 in {float(1 / anything):,.2f}",
            f"{float(anything):.3e}",
        )
    )
    click.echo(table(("tier", "match", "winning combinations", "odds", "probability"), rows))
    click.echo(f"\nOut of C(49,6) = {COMBINATIONS:,} combinations. Every combination has the same odds.")


def _money(amount: Fraction | None) -> str:
    if amount is None:
        return "dividend not published"
    if amount.denominator == 1:
        return f"HK${int(amount):,}"
    return f"HK${float(amount):,.2f}"


@click.command()
@numbers_argument("numbers", required=True)
@click.option(
    "--bankers",
    "-b",
    multiple=True,
    type=int,
    help="A banker (膽); repeat for up to 5. NUMBERS are then the legs (腳).",
)
@click.option("--draw", "draw_id", help="Draw id such as 12/110 (default: the latest draw).")
@click.option(
    "--partial", is_flag=True, help="HK$5 partial units (multiple and banker entries only); prizes pro rata."
)
@click.option(
    "--all",
    "list_all",
    is_flag=True,
    help=f"List every winning entry (the default lists the first {LIST_CAP} and counts the rest by tier).",
)
@json_option
def check(
    *,
    numbers: tuple[int, ...],
    bankers: tuple[int, ...],
    draw_id: str | None,
    partial: bool,
    list_all: bool,
    as_json: bool,
) -> None:
    """Check a ticket against a draw: its winning entries by tier, the cost and the total.

    \b
    A single entry is 6 numbers; 7 or more make a multiple entry (複式);
    with --bankers it is a banker entry (膽拖): 1-5 bankers plus legs.
    Fixed tiers pay that draw's era amounts; shared tiers pay the recorded
    dividend. A big ticket is counted tier by tier without listing every
    entry; --all lists them. Examples:
      marksix check 2 13 33 35 38 49 --draw 12/110
      marksix check 1 2 13 33 35 38 40 --draw 12/110 --partial
      marksix check -b 2 -b 13 5 33 35 38 40 41 49
      marksix check $(seq 1 49)            # all 13,983,816 entries, by tier
      marksix check $(seq 1 12) --all      # every winning entry listed
    """
    from itertools import islice

    from marksix.domain.tickets import Ticket, check_ticket, money_json, summarise_ticket, winning_entries

    ticket = Ticket.parse(numbers, bankers)
    archive = draw_archive()
    history = archive.history()
    draw = history.get(draw_id) if draw_id else history.latest
    prizes = archive.prizes().get(draw.draw_id)
    summary = summarise_ticket(ticket, draw, prizes, partial=partial)
    listed = None if list_all else LIST_CAP
    if as_json:
        payload: dict[str, object] = {
            "draw_id": draw.draw_id,
            "entry_count": ticket.entry_count,
            "cost": summary.cost,
            "prize": money_json(summary.prize),
            "tiers": [tier.to_json() for tier in summary.tiers],
        }
        if ticket.entry_count <= JSON_ENTRIES_CAP:  # every entry, winning or not, as before
            payload["entries"] = check_ticket(ticket, draw, prizes, partial=partial).to_json()["entries"]
        else:
            found = islice(winning_entries(ticket, draw, prizes, partial=partial), listed)
            payload["entries"] = [entry.to_json() for entry in found]
        payload["entries_complete"] = ticket.entry_count <= JSON_ENTRIES_CAP or (
            list_all or summary.winning_entries <= LIST_CAP
        )
        emit_json(payload)
        return
    click.echo(f"Draw {draw.describe()}")
    click.echo(
        f"Ticket: {ticket.kind} entry, {ticket.entry_count:,} entr{'y' if ticket.entry_count == 1 else 'ies'}"
        f" at HK${summary.stake_per_entry} = HK${summary.cost:,}"
    )
    if ticket.entry_count > 1 and summary.tiers:
        for tier in summary.tiers:
            each = _money(tier.prize_each)
            total = f" = {_money(tier.total)}" if tier.total is not None else ""
            plural = "entry" if tier.entries == 1 else "entries"
            click.echo(f"  tier {tier.tier}: {tier.entries:,} {plural} x {each}{total}")
    winners = summary.winning_entries
    if winners > LIST_CAP and not list_all:
        click.echo(f"Winning entries (the first {LIST_CAP} of {winners:,}; --all lists them all):")
    for entry in islice(winning_entries(ticket, draw, prizes, partial=partial), listed):
        click.echo(
            f"  {' '.join(f'{n:2d}' for n in entry.numbers)}  tier {entry.tier}  {_money(entry.prize)}"
        )
    if not winners:
        click.echo("  no winning entry")
    total = _money(summary.prize)
    suffix = " (plus shared-tier prizes not yet published)" if summary.prize_unknown else ""
    click.echo(f"Total prize: {total}{suffix}")
