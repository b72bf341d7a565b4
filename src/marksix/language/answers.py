"""The content of each intent's reply, built only from engine values.

Every engine value goes through `Facts.show`, which formats it and records
the numbers it contains; the template wording itself holds no digits. So the
set of numbers a reply may show is known exactly, for the tests and for the
LLM firewall.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from marksix.domain.colours import COLOUR_NAMES, colour_of
from marksix.domain.draws import PICKED, POOL, Draw, DrawHistory, draws_since_last_seen, last_seen_index
from marksix.domain.rules import COMBINATIONS, any_prize_probability
from marksix.domain.statistics import Statistics, compute_statistics
from marksix.domain.tickets import Ticket, check_ticket, money_json
from marksix.errors import MarksixError, NotFound
from marksix.language.fitting import OPTIONAL_EXTRA, OPTIONAL_LABEL, OPTIONAL_MAIN, Part
from marksix.language.freshness import MISSING_DRAW_NOTE, STALE_LAST_HEAD, STALE_NOTE, archive_is_behind
from marksix.language.model import ReplyContext
from marksix.language.numerals import ASCII_NUMBER
from marksix.language.parameters import Parameters
from marksix.language.picking import PlannedPick, plan_pick, run_pick
from marksix.language.safety import canonical_number, numbers_in
from marksix.language.templates.base import Wording

STATS_WINDOW = 100
MAX_STATS_NUMBERS = 3
LIST_LENGTH = 5
COLD_ASK = re.compile(r"冷|cold|least|最少")
OVERDUE_ASK = re.compile(r"耐冇出|耐無出|久没出|久未出|overdue|最耐|最久")

Chooser = Callable[[tuple[str, ...], int], str]


@dataclass
class Facts:
    """Formats engine values and remembers every number shown."""

    allowed: set[str] = field(default_factory=set)

    def show(self, value: object) -> str:
        text = str(value)
        if text.isascii():
            # Digits, dates, times, draw ids: the cheap path (most calls).
            self.allowed.update(canonical_number(number) for number in ASCII_NUMBER.findall(text))
        else:
            self.allowed.update(numbers_in(text))
        return text

    def money(self, amount: int | float) -> str:
        return self.show(f"{amount:,}")


@dataclass(frozen=True, slots=True)
class Answer:
    parts: list[Part]
    tickets: tuple[tuple[int, ...], ...]
    request: dict[str, Any]
    allowed: frozenset[str]


@dataclass(frozen=True, slots=True)
class Ask:
    """Everything an intent's answer is built from."""

    normalised: str
    parameters: Parameters
    context: ReplyContext
    wording: Wording
    rng: random.Random
    mention: str
    head: str  # the chosen template, with the mention filled in
    choose: Chooser
    facts: Facts


def request_json(parameters: Parameters, intent: str, plan: PlannedPick | None = None) -> dict[str, Any]:
    """The understood request, with the pick's effective values when there is one."""
    if plan is not None:
        request = plan.request
        return {
            "include": sorted(request.include),
            "exclude": sorted(request.exclude),
            "size": request.size,
            "bankers": sorted(request.bankers),
            "lines": request.lines,
            "strategy": plan.asked_strategy,
            "ticket": None,
        }
    ticket = sorted(set(parameters.mentioned) | set(parameters.include)) if intent == "check_ticket" else None
    return {
        "include": sorted(parameters.include),
        "exclude": sorted(parameters.exclude),
        "size": parameters.size,
        "bankers": sorted(parameters.bankers),
        "lines": parameters.lines,
        "strategy": parameters.strategy,
        "ticket": ticket or None,
    }


def ball(number: int, facts: Facts) -> str:
    return COLOUR_NAMES[colour_of(number)]["emoji"] + facts.show(f"{number:02d}")


def balls(numbers: Iterable[int], facts: Facts) -> str:
    return " ".join(ball(number, facts) for number in numbers)


def ticket_line(ticket: Sequence[int], bankers: Sequence[int], wording: Wording, facts: Facts) -> str:
    if not bankers:
        return balls(ticket, facts)
    legs = [number for number in ticket if number not in bankers]
    return f"{wording.banker_label} {balls(bankers, facts)}{wording.legs_separator}{balls(legs, facts)}"


def date_text(draw_date: dt.date, wording: Wording, facts: Facts) -> str:
    month_name = wording.months[draw_date.month - 1] if wording.months else ""
    return facts.show(wording.date.format(day=draw_date.day, month=draw_date.month, month_name=month_name))


def _expected(window: int, facts: Facts) -> str:
    return facts.show(f"{window * PICKED / POOL:.1f}")


@functools.lru_cache(maxsize=16)
def window_statistics(history: DrawHistory, size: int | None) -> Statistics:
    """domain.statistics over the latest `size` draws (all for None), kept per history.

    A history is immutable and compared by identity, so a cached entry can
    never be stale; a refreshed archive is a new history.
    """
    return compute_statistics(history.last(size))


def _window_counts(context: ReplyContext) -> tuple[int, list[int]]:
    window = min(STATS_WINDOW, len(context.history))
    if not window:
        return 0, [0] * (POOL + 1)
    return window, [int(count) for count in window_statistics(context.history, window).frequency]


#: The ways a pick shows its numbers' record: two lines, one line of fact, or the chance band.
PICK_LAYOUTS = ("full", "fact", "band")


def _combination_stats(
    numbers: Sequence[int], context: ReplyContext, wording: Wording, facts: Facts, layout: str = "full"
) -> list[Part]:
    if not len(context.history) or not numbers:
        return []
    window, counts = _window_counts(context)
    chosen = sorted(set(numbers))
    average = sum(counts[number] for number in chosen) / len(chosen)
    hot = max(chosen, key=lambda number: (counts[number], -number))
    cold = min(chosen, key=lambda number: (counts[number], number))
    if layout == "fact":
        text = wording.stats_fact.format(
            window=facts.show(window),
            hot=facts.show(hot),
            hot_count=facts.show(counts[hot]),
            expected=_expected(window, facts),
        )
        return [Part(text, drop_rank=OPTIONAL_MAIN)]
    if layout == "band":
        low, high = window_statistics(context.history, window).band.one_number
        inside = low <= counts[cold] and counts[hot] <= high
        text = wording.stats_band.format(
            window=facts.show(window),
            low_seen=facts.show(counts[cold]),
            high_seen=facts.show(counts[hot]),
            low=facts.show(low),
            high=facts.show(high),
            expected=_expected(window, facts),
            verdict=wording.band_inside if inside else wording.band_outside,
        )
        return [Part(text, drop_rank=OPTIONAL_MAIN)]
    lines = [
        Part(
            wording.stats_average.format(
                window=facts.show(window),
                average=facts.show(f"{average:.1f}"),
                expected=_expected(window, facts),
            ),
            drop_rank=OPTIONAL_MAIN,
        )
    ]
    if hot != cold:
        lines.append(
            Part(
                wording.stats_extremes.format(
                    hot=facts.show(hot),
                    hot_count=facts.show(counts[hot]),
                    cold=facts.show(cold),
                    cold_count=facts.show(counts[cold]),
                ),
                drop_rank=OPTIONAL_EXTRA,
            )
        )
    return lines


def _honest(wording: Wording, choose: Chooser, kind: str = "pick") -> Part:
    options = wording.honest if kind == "pick" else wording.closings.get(kind, wording.honest)
    return Part(choose(options, 1), short=wording.honest_short)


def closing(ask: Ask, kind: str) -> Part:
    """The closing line that fits the reply: "this set" only under a single pick (see Wording.closings)."""
    return _honest(ask.wording, ask.choose, kind)


def _pick(ask: Ask) -> Answer:
    parameters, context, wording, facts, head = ask.parameters, ask.context, ask.wording, ask.facts, ask.head
    plan = plan_pick(parameters)
    result, relaxed = run_pick(plan, context.history, ask.rng, context.popularity)
    draw_label = wording.draw_label.format(date=date_text(context.next_draw.date, wording, facts))
    many = len(result.tickets) > 1
    if many:
        # The count goes first when space is tight, before any line is dropped.
        template = ask.choose(wording.pick_many, 0).replace("{m}", _escaped(ask.mention))
        text = template.format(draw=draw_label, count=facts.show(len(result.tickets)))
        parts = [Part(text, short=ask.mention)]
    else:
        parts = [
            Part(
                head.format(draw=draw_label),
                short=head.split(" ", maxsplit=1)[0] if head.startswith("@") else None,
            )
        ]
    bankers = sorted(result.bankers)
    parts += [Part(ticket_line(ticket, bankers, wording, facts), ticket=True) for ticket in result.tickets]
    notes = _pick_notes(parameters, plan, relaxed, wording, facts)
    if notes:
        parts.append(Part(notes))
    label = wording.strategy_labels.get(result.strategy)
    if label:
        parts.append(Part(label, drop_rank=OPTIONAL_LABEL))
    if plan.request.size > PICKED or bankers:
        parts.append(_cost_part(result.tickets, bankers, wording, facts))
    union = sorted({number for ticket in result.tickets for number in ticket})
    layout = ask.choose(PICK_LAYOUTS, 2)
    stats = _combination_stats(union, context, wording, facts, layout)
    if stats and archive_is_behind(context):  # the figures are only as new as the archive
        stats.append(Part(stale_note(context, wording, facts), drop_rank=OPTIONAL_MAIN))
    parts += stats
    parts.append(_honest(wording, ask.choose, "many" if many else "pick"))
    return Answer(parts, result.tickets, request_json(parameters, "pick", plan), frozenset(facts.allowed))


def _cost_part(
    tickets: Sequence[Sequence[int]], bankers: Sequence[int], wording: Wording, facts: Facts
) -> Part:
    # A multiple or banker line is many entries: say what it would cost.
    first = tickets[0]
    ticket = Ticket.parse([n for n in first if n not in bankers], bankers)
    cost = ticket.cost() * len(tickets)
    text = wording.cost_line.format(entries=facts.show(ticket.entry_count), cost=facts.money(cost))
    return Part(text, drop_rank=OPTIONAL_MAIN)


def _invalid_notes(parameters: Parameters, wording: Wording, facts: Facts) -> list[str]:
    """Say which numbers could not be Mark Six balls, rather than dropping them silently."""
    # Only small numbers are echoed: a bot must never repeat a phone number.
    echoable = [number for number in parameters.invalid if number < 100]
    low, high = facts.show(1), facts.show(POOL)
    if echoable:
        shown = wording.list_separator.join(facts.show(number) for number in echoable)
        return [wording.invalid_note.format(numbers=shown, low=low, high=high)]
    if parameters.invalid:
        return [wording.invalid_other_note.format(low=low, high=high)]
    return []


def _pick_notes(
    parameters: Parameters, plan: PlannedPick, relaxed: bool, wording: Wording, facts: Facts
) -> str:
    notes = _invalid_notes(parameters, wording, facts)
    if plan.clashes:
        notes.append(
            wording.clash_note.format(
                numbers=wording.list_separator.join(facts.show(n) for n in plan.clashes)
            )
        )
    if plan.capped:
        notes.append(
            wording.capped_note.format(lines=facts.show(plan.max_lines), size=facts.show(plan.max_size))
        )
    if plan.forced_dropped:
        notes.append(wording.forced_note.format(size=facts.show(plan.request.size)))
    if plan.strategy_unavailable:
        notes.append(wording.strategy_unavailable_note)
    if relaxed:
        notes.append(wording.relaxed_note)
    return _sentences(notes, wording)


def _sentences(notes: list[str], wording: Wording) -> str:
    # Chinese sentences end in 。 and need no space between them.
    return (" " if wording.language == "en" else "").join(notes)


def _last_result(ask: Ask) -> Answer:
    context, wording, head, choose, facts = ask.context, ask.wording, ask.head, ask.choose, ask.facts
    parameters = ask.parameters
    request = request_json(parameters, "last_result")
    if not len(context.history):
        return Answer([Part(head.split(" ", maxsplit=1)[0]), Part(wording.no_data)], (), request, frozenset())
    draw = context.history.latest
    if archive_is_behind(context):
        # Not 上期: HKJC has drawn since. Say which draw this is.
        head = STALE_LAST_HEAD[wording.language].replace("{m}", _escaped(ask.mention))
    parts = [
        Part(head.format(draw_id=facts.show(draw.draw_id), date=date_text(draw.date, wording, facts))),
        Part(drawn_line(draw, wording, facts)),
    ]
    prizes = context.prizes.get(draw.draw_id)
    if prizes is not None and prizes.dividend(1) is not None:
        parts.append(
            Part(
                wording.first_prize_line.format(amount=facts.money(prizes.dividends[1])),
                drop_rank=OPTIONAL_MAIN,
            )
        )
    elif prizes is not None and prizes.winning_units.get(1) == 0:
        parts.append(Part(wording.first_prize_none, drop_rank=OPTIONAL_MAIN))
    parts.append(_honest(wording, choose, "result"))
    return Answer(parts, (), request, frozenset(facts.allowed))


def drawn_line(draw: Draw, wording: Wording, facts: Facts) -> str:
    return wording.drawn_line.format(
        balls=balls(draw.numbers, facts), extra_label=wording.extra_label, extra=ball(draw.extra, facts)
    )


def _next_draw(ask: Ask) -> Answer:
    context, wording, head, choose, facts = ask.context, ask.wording, ask.head, ask.choose, ask.facts
    parameters = ask.parameters
    upcoming = context.next_draw
    text = head.format(
        date=date_text(upcoming.date, wording, facts),
        weekday=facts.show(wording.weekdays[upcoming.date.weekday()]),
        close=facts.show(upcoming.sales_close_at.strftime("%H:%M")),
        time=facts.show(upcoming.draw_at.strftime("%H:%M")),
    )
    parts = [Part(text)]
    if upcoming.snowball_name:
        parts.append(Part(wording.snowball_line.format(name=facts.show(upcoming.snowball_name))))
    estimate = upcoming.estimated_first_prize or upcoming.jackpot
    if estimate:
        parts.append(Part(wording.jackpot_line.format(amount=facts.money(estimate)), drop_rank=OPTIONAL_MAIN))
    parts.append(_honest(wording, choose, "draw"))
    return Answer(parts, (), request_json(parameters, "next_draw"), frozenset(facts.allowed))


def _odds(ask: Ask) -> Answer:
    wording, head, choose, facts, parameters = ask.wording, ask.head, ask.choose, ask.facts, ask.parameters
    any_odds = 1 / any_prize_probability()
    text = head.format(
        one=facts.show(1), first=facts.money(COMBINATIONS), any=facts.show(f"{float(any_odds):.1f}")
    )
    parts = [Part(text), _honest(wording, choose, "odds")]
    return Answer(parts, (), request_json(parameters, "odds"), frozenset(facts.allowed))


def _stats(ask: Ask) -> Answer:
    normalised, parameters, context, wording, facts = (
        ask.normalised,
        ask.parameters,
        ask.context,
        ask.wording,
        ask.facts,
    )
    head = ask.head.format()
    request = request_json(parameters, "stats")
    parts = [Part(head)]
    invalid = _invalid_notes(parameters, wording, facts)
    if invalid:
        parts.append(Part(_sentences(invalid, wording)))
    if not len(context.history):
        parts.append(Part(wording.no_data))
        return Answer(parts, (), request, frozenset())
    window, counts = _window_counts(context)
    history = context.history
    if parameters.balls:
        totals = history.hits.sum(axis=0).tolist()
        last_seen = last_seen_index(history.hits)
        for number in parameters.balls[:MAX_STATS_NUMBERS]:
            if last_seen[number] < 0:
                parts.append(
                    Part(wording.number_never.format(number=facts.show(number), window=facts.show(window)))
                )
                continue
            parts.append(
                Part(
                    wording.number_stats.format(
                        number=facts.show(number),
                        window=facts.show(window),
                        recent=facts.show(counts[number]),
                        expected=_expected(window, facts),
                        total=facts.show(int(totals[number])),
                        draws=facts.money(len(history)),
                        last_id=facts.show(history[int(last_seen[number])].draw_id),
                    )
                )
            )
    elif OVERDUE_ASK.search(normalised):
        since = draws_since_last_seen(history.hits)
        # A number never drawn has waited the whole history.
        gaps = {n: int(since[n]) if since[n] >= 0 else len(history) for n in range(1, POOL + 1)}
        longest = sorted(gaps, key=lambda n: (-gaps[n], n))[:LIST_LENGTH]
        items = wording.list_separator.join(
            wording.gap_item.format(number=facts.show(n), gap=facts.show(gaps[n])) for n in longest
        )
        parts.append(Part(wording.overdue_list.format(items=items)))
    else:
        cold = COLD_ASK.search(normalised) is not None
        order = sorted(range(1, POOL + 1), key=lambda n: (counts[n] if cold else -counts[n], n))
        items = wording.list_separator.join(
            wording.count_item.format(number=facts.show(n), count=facts.show(counts[n]))
            for n in order[:LIST_LENGTH]
        )
        template = wording.cold_list if cold else wording.hot_list
        parts.append(Part(template.format(window=facts.show(window), items=items)))
    if archive_is_behind(context):
        parts.append(Part(stale_note(context, wording, facts)))
    parts.append(Part(wording.stats_honest, short=wording.honest_short))
    return Answer([part for part in parts if part.text], (), request, frozenset(facts.allowed))


def stale_note(context: ReplyContext, wording: Wording, facts: Facts) -> str:
    return STALE_NOTE[wording.language].format(date=date_text(context.history.latest.date, wording, facts))


def _escaped(mention: str) -> str:
    return mention.replace("{", "{{").replace("}", "}}")


def _check(ask: Ask) -> Answer:
    parameters, context, wording, head, facts = ask.parameters, ask.context, ask.wording, ask.head, ask.facts
    choose, mention = ask.choose, ask.mention
    request = request_json(parameters, "check_ticket")
    history = context.history
    if not len(history):
        return Answer([Part(mention), Part(wording.no_data)], (), request, frozenset())
    draw = history.latest
    notes = _invalid_notes(parameters, wording, facts)
    if parameters.draw_id:
        try:
            draw = history.get(parameters.draw_id)
        except NotFound:
            behind = archive_is_behind(context) or parameters.draw_id > draw.draw_id
            notes.append(MISSING_DRAW_NOTE[wording.language] if behind else wording.check_unknown_draw)
    elif archive_is_behind(context):
        notes.append(stale_note(context, wording, facts))
    draw_id, when = facts.show(draw.draw_id), date_text(draw.date, wording, facts)
    legs = [
        number for number in (*parameters.mentioned, *parameters.include) if number not in parameters.bankers
    ]
    legs = list(dict.fromkeys(legs))
    if not legs and not parameters.bankers:
        parts = [
            Part(
                wording.check_need_numbers.format(
                    m=mention, picked=facts.show(PICKED), draw_id=draw_id, date=when
                )
            ),
            Part(drawn_line(draw, wording, facts)),
            _honest(wording, choose, "result"),
        ]
        return Answer(parts, (), request, frozenset(facts.allowed))
    parts = [Part(head.format(draw_id=draw_id, date=when)), Part(drawn_line(draw, wording, facts))]
    try:
        ticket = Ticket.parse(legs, parameters.bankers)
    except MarksixError:
        count = len(set(legs) | set(parameters.bankers))
        notes.append(
            wording.check_bad_ticket.format(
                picked=facts.show(PICKED), low=facts.show(1), high=facts.show(POOL), count=facts.show(count)
            )
        )
        parts.append(Part(_sentences(notes, wording)))
        parts.append(_honest(wording, choose, "result"))
        return Answer(parts, (), request, frozenset(facts.allowed))
    request["ticket"] = sorted([*ticket.bankers, *ticket.legs])
    result = check_ticket(ticket, draw, context.prizes.get(draw.draw_id))
    parts.append(
        Part("🎫 " + ticket_line(sorted([*ticket.bankers, *ticket.legs]), ticket.bankers, wording, facts))
    )
    winners = result.winners
    if len(result.entries) == 1:
        entry = result.entries[0]
        matched = len(set(entry.numbers) & set(draw.numbers))
        extra = wording.check_extra if draw.extra in entry.numbers else ""
        outcome = wording.check_matched.format(matched=facts.show(matched), extra=extra)
        space = " " if wording.language == "en" else ""
        if entry.tier is not None:
            tier = facts.show(wording.tiers[entry.tier])
            if entry.prize is None:
                outcome += space + wording.check_won_unknown.format(tier=tier)
            else:
                outcome += space + wording.check_won.format(tier=tier, amount=_amount(entry.prize, facts))
        else:
            outcome += space + wording.check_nothing
        notes.append(outcome)
    elif winners:
        notes.append(
            wording.check_won_many.format(
                entries=facts.show(len(result.entries)),
                winners=facts.show(len(winners)),
                amount=_amount(result.prize, facts),
            )
        )
    else:
        notes.append(wording.check_nothing)
    parts.append(Part(_sentences(notes, wording)))
    parts.append(_honest(wording, choose, "result"))
    return Answer(parts, (), request, frozenset(facts.allowed))


def _amount(prize: Fraction, facts: Facts) -> str:
    value = money_json(prize)
    return facts.money(value if value is not None else 0)


def _help(ask: Ask) -> Answer:
    text = ask.head.format(examples=ask.facts.show(ask.wording.help_examples))
    request = request_json(ask.parameters, "help")
    return Answer([Part(text)], (), request, frozenset(ask.facts.allowed))


def _support(ask: Ask) -> Answer:
    # Kindness and the help line (in the footer); never a combination.
    return Answer([Part(ask.head.format())], (), request_json(ask.parameters, "support"), frozenset())


INTENT_ANSWERS: dict[str, Callable[[Ask], Answer]] = {
    "pick": _pick,
    "last_result": _last_result,
    "next_draw": _next_draw,
    "odds": _odds,
    "stats": _stats,
    "check_ticket": _check,
    "help": _help,
    "support": _support,
}


def answer_for(
    intent: str,
    normalised: str,
    parameters: Parameters,
    context: ReplyContext,
    *,
    wording: Wording,
    rng: random.Random,
    mention: str,
    choose: Chooser,
) -> Answer:
    """The parts of the reply for a classified comment."""
    template = choose(wording.intents[intent], 0)
    # The mention goes in before formatting, escaped, so a username is never read as a field.
    head = template.replace("{m}", mention.replace("{", "{{").replace("}", "}}"))
    ask = Ask(normalised, parameters, context, wording, rng, mention, head, choose, Facts())
    return INTENT_ANSWERS[intent](ask)
