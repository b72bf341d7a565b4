"""The shape of a language's wording: per-intent templates plus the shared pieces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Wording:
    language: str
    #: intent -> at least eight interchangeable templates (varied so replies do not look like spam).
    intents: dict[str, tuple[str, ...]]
    honest: tuple[str, ...]
    honest_short: str
    footer: str
    draw_label: str
    date: str
    weekdays: tuple[str, ...]
    stats_average: str
    stats_extremes: str
    invalid_note: str
    invalid_other_note: str
    clash_note: str
    capped_note: str
    forced_note: str
    relaxed_note: str
    strategy_unavailable_note: str
    strategy_labels: dict[str, str]
    banker_label: str
    legs_separator: str
    extra_label: str
    tiers: dict[int, str]
    first_prize_line: str
    first_prize_none: str
    check_matched: str
    check_extra: str
    check_won: str
    check_won_unknown: str
    check_won_many: str
    check_nothing: str
    check_need_numbers: str
    check_bad_ticket: str
    check_unknown_draw: str
    drawn_line: str
    snowball_line: str
    jackpot_line: str
    number_stats: str
    number_never: str
    hot_list: str
    cold_list: str
    overdue_list: str
    count_item: str
    gap_item: str
    stats_honest: str
    help_examples: str
    list_separator: str
    no_data: str
    cost_line: str
    #: Heads for several lines (with {count}), so the reply never says "your line" over three.
    pick_many: tuple[str, ...]
    #: Closing lines by kind of reply: "many" (several lines), "result", "draw", "odds".
    #: `honest` closes a single pick and may say "this set"; these never do.
    closings: dict[str, tuple[str, ...]]
    #: The pick's statistics in other layouts: one line of fact, or the chance band.
    stats_fact: str
    stats_band: str
    band_inside: str
    band_outside: str
    months: tuple[str, ...] = ()
