from __future__ import annotations

import datetime as dt
from fractions import Fraction
from itertools import combinations
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.domain.draws import Draw
from marksix.domain.rules import COMBINATIONS, TIERS, any_prize_probability
from marksix.domain.tickets import Ticket, check_ticket, tier_for
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.errors import TicketError


def test_odds_match_the_published_table() -> None:
    expected = {1: 1, 2: 6, 3: 252, 4: 630, 5: 12_915, 6: 17_220, 7: 229_600}
    assert {tier.number: tier.winning_combinations for tier in TIERS} == expected
    assert COMBINATIONS == 13_983_816
    assert TIERS[0].odds == 13_983_816
    assert TIERS[2].odds == Fraction(13_983_816, 252)
    assert any_prize_probability() * COMBINATIONS == 260_624


def test_tiers_partition_all_combinations_by_brute_force_over_a_small_space() -> None:
    # Every entry over the 13 balls around one draw, counted by tier_for.
    draw = Draw("99/001", dt.date(2020, 1, 1), (1, 2, 3, 4, 5, 6), 7)
    counts: dict[int | None, int] = {}
    for entry in combinations(range(1, 14), 6):
        tier = tier_for(entry, draw)
        counts[tier] = counts.get(tier, 0) + 1
    others = 13 - 7
    assert counts[1] == 1
    assert counts[2] == comb(6, 5)
    assert counts[3] == comb(6, 5) * comb(others, 1)
    assert counts[7] == comb(6, 3) * comb(others, 3)


def test_the_2012_09_22_draw_pays_its_recorded_first_prize() -> None:
    draw = bundled_history().get("12/110")
    assert draw.numbers == (2, 13, 33, 35, 38, 49) and draw.extra == 40
    result = check_ticket(Ticket.parse([2, 13, 33, 35, 38, 49]), draw, bundled_prizes()["12/110"])
    assert result.to_json() == {
        "draw_id": "12/110",
        "entries": [{"numbers": [2, 13, 33, 35, 38, 49], "tier": 1, "prize": 49_591_870}],
        "cost": 10,
        "prize": 49_591_870,
    }


def test_partial_unit_multiple_entry_pays_pro_rata() -> None:
    draw = bundled_history().get("12/110")
    ticket = Ticket.parse([1, 2, 13, 33, 35, 38, 40])
    result = check_ticket(ticket, draw, bundled_prizes()["12/110"], partial=True)
    assert result.cost == 35
    tiers = sorted(entry.tier for entry in result.winners if entry.tier)
    assert tiers == [2, 3, 4, 4, 4, 4, 4]
    # 2nd 1,177,230/2 + 3rd 71,480/2 + five 4th at 9,600/2
    assert result.prize == Fraction(1_177_230 + 71_480 + 5 * 9_600, 2)


def test_fixed_prizes_follow_the_era_of_the_draw() -> None:
    old = bundled_history().get("05/010")
    result = check_ticket(
        Ticket.parse([*old.numbers[:4], old.extra, 48 if 48 not in old.numbers else 47]), old
    )
    assert result.cost == 5
    assert result.prize == 4_800


@pytest.mark.parametrize(
    ("numbers", "bankers", "message"),
    [
        ([1, 2, 3, 4, 5, 5], [], "duplicate numbers: 5"),
        ([1, 2, 3, 4, 5, 50], [], "50 is out of range"),
        ([0, 2, 3, 4, 5, 6], [], "0 is out of range"),
        ([1, 2, 3, 4, 5], [], "too few numbers"),
        ([1, 4, 5, 6, 7, 8], [1], "cannot be both a banker and a leg"),
        ([7, 8, 9, 10], [1, 2, 3, 4, 5, 6], "too many bankers"),
        ([4, 5, 6], [1, 2, 3], "too few numbers for a banker entry"),
    ],
)
def test_bad_tickets_name_the_problem(numbers: list[int], bankers: list[int], message: str) -> None:
    with pytest.raises(TicketError, match=message):
        Ticket.parse(numbers, bankers)


numbers_1_49 = st.integers(min_value=1, max_value=49)


@given(st.lists(numbers_1_49, min_size=6, max_size=10, unique=True))
def test_multiple_entry_expands_to_every_six_number_subset(numbers: list[int]) -> None:
    ticket = Ticket.parse(numbers)
    entries = ticket.entries()
    assert len(entries) == len(set(entries)) == comb(len(numbers), 6) == ticket.entry_count
    assert all(len(entry) == 6 and set(entry) <= set(numbers) for entry in entries)


@given(
    st.lists(numbers_1_49, min_size=8, max_size=12, unique=True),
    st.integers(min_value=1, max_value=5),
)
def test_banker_entry_keeps_every_banker_in_every_entry(numbers: list[int], banker_count: int) -> None:
    bankers, legs = numbers[:banker_count], numbers[banker_count:]
    ticket = Ticket.parse(legs, bankers)
    entries = ticket.entries()
    assert len(entries) == comb(len(legs), 6 - banker_count)
    assert all(set(bankers) <= set(entry) for entry in entries)
    assert ticket.cost() == 10 * len(entries)
    assert ticket.cost(partial=True) == 5 * len(entries)


@given(
    st.lists(numbers_1_49, min_size=7, max_size=7, unique=True),
    st.lists(numbers_1_49, min_size=6, max_size=6, unique=True),
)
def test_tier_depends_only_on_matches(drawn: list[int], entry: list[int]) -> None:
    draw = Draw("99/001", dt.date(2020, 1, 1), tuple(sorted(drawn[:6])), drawn[6])  # type: ignore[arg-type]
    matched = len(set(entry) & set(draw.numbers))
    tier = tier_for(entry, draw)
    if matched < 3:
        assert tier is None
    else:
        assert tier is not None
        assert TIERS[tier - 1].matched == matched
        assert TIERS[tier - 1].with_extra == (draw.extra in entry and matched < 6)


# --- huge tickets are counted by tier, not listed ------------------------------------------------
@given(
    picked=st.sets(st.integers(1, 14), min_size=6, max_size=12),
    bankers=st.integers(0, 3),
    extra_inside=st.booleans(),
)
def test_tier_counts_match_listing_every_entry(picked: set[int], bankers: int, extra_inside: bool) -> None:
    from marksix.domain.tickets import summarise_ticket, tier_counts, winning_entries

    numbers = sorted(picked)
    banked = numbers[:bankers] if len(numbers) - bankers >= 7 - bankers and bankers else []
    ticket = Ticket.parse([n for n in numbers if n not in banked], banked)
    draw = Draw("99/001", dt.date(2020, 1, 1), (1, 3, 5, 7, 9, 11), 2 if extra_inside else 40)
    listed: dict[int, int] = {}
    for entry in check_ticket(ticket, draw).winners:
        assert entry.tier is not None
        listed[entry.tier] = listed.get(entry.tier, 0) + 1
    assert tier_counts(ticket, draw) == dict(sorted(listed.items()))
    assert [entry.numbers for entry in winning_entries(ticket, draw)] == [
        entry.numbers for entry in check_ticket(ticket, draw).winners
    ]
    assert summarise_ticket(ticket, draw).prize == check_ticket(ticket, draw).prize


def test_checking_all_49_numbers_summarises_by_tier_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    from cli_runner import run

    code, out, err = run(capsys, "check", *map(str, range(1, 50)), "--draw", "12/110")
    assert code == 0, err
    assert "13,983,816 entries" in out
    for tier, count in {1: 1, 2: 6, 3: 252, 4: 630, 5: 12_915, 6: 17_220, 7: 229_600}.items():
        assert f"tier {tier}: {count:,} entr" in out
    assert "the first 50 of 260,624; --all lists them all" in out
    assert len(out.splitlines()) < 70  # not 260,626 lines
    code, out, _ = run(capsys, "check", *map(str, range(1, 50)), "--draw", "12/110", "--json")
    import json

    payload = json.loads(out)
    assert payload["entry_count"] == 13_983_816 and payload["entries_complete"] is False
    assert len(payload["entries"]) == 50 and [t["entries"] for t in payload["tiers"]][-1] == 229_600


def test_check_all_lists_every_winning_entry(capsys: pytest.CaptureFixture[str]) -> None:
    from cli_runner import run

    numbers = ["2", "13", "33", "35", "38", "49", *map(str, range(14, 24))]  # 16 numbers, 8,008 entries
    _, summarised, _ = run(capsys, "check", *numbers, "--draw", "12/110")
    code, everything, _ = run(capsys, "check", *numbers, "--draw", "12/110", "--all")
    assert code == 0
    winners = [line for line in everything.splitlines() if "  tier " in line and ":" not in line]
    tiers = {
        int(line.split()[1].rstrip(":")): int(line.split()[2].replace(",", ""))
        for line in everything.splitlines()
        if line.startswith("  tier ")
    }
    assert len(winners) == sum(tiers.values()) > 50
    assert "--all lists them all" in summarised and summarised.count("HK$") < everything.count("HK$")
    assert summarised.splitlines()[-1] == everything.splitlines()[-1]  # the same total
