"""Statistics: the vectorised figures agree with plain counting, and the
chance baselines agree with scipy and with combinatorics."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import chdtrc
from scipy.stats import binom

from marksix.domain.colours import colour_of
from marksix.domain.draws import POOL, Draw, DrawHistory, draws_since_last_seen, last_seen_index
from marksix.domain.statistics import (
    SUM_BANDS,
    _sum_counts,
    binomial_band,
    chi_square_survival,
    compute_statistics,
)
from marksix.draws.bundled import bundled_history, legacy_history
from marksix.errors import InputError

HISTORY = bundled_history()

lines = st.lists(st.integers(min_value=1, max_value=POOL), min_size=7, max_size=7, unique=True)


def history_of(rows: list[list[int]]) -> DrawHistory:
    start = dt.date(2020, 1, 1)
    return DrawHistory(
        Draw(
            f"20/{index + 1:03d}",
            start + dt.timedelta(days=index),
            tuple(sorted(row[:6])),  # type: ignore[arg-type]
            row[6],
        )
        for index, row in enumerate(rows)
    )


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(lines, min_size=1, max_size=40))
def test_figures_match_plain_counting(rows: list[list[int]]) -> None:
    history = history_of(rows)
    stats = compute_statistics(history)
    count = len(history)
    drawn = Counter(number for draw in history for number in draw.numbers)
    extras = Counter(draw.extra for draw in history)
    for number in range(1, POOL + 1):
        assert stats.frequency[number] == drawn[number]
        assert stats.extra_frequency[number] == extras[number]
        seen = [index for index, draw in enumerate(history) if number in draw.numbers]
        assert stats.since_last_seen[number] == (count - 1 - seen[-1] if seen else -1)
        assert draws_since_last_seen(history.hits)[number] == stats.since_last_seen[number]
        assert last_seen_index(history.hits)[number] == (seen[-1] if seen else -1)
        # Gaps: misses before the first sighting, between sightings, and since the last.
        edges = [-1, *seen, count]
        assert stats.longest_gap[number] == max(b - a - 1 for a, b in itertools.pairwise(edges))
    pairs = Counter(pair for draw in history for pair in itertools.combinations(draw.numbers, 2))
    top = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[: len(stats.top_pairs)]
    assert [((a, b), c) for a, b, c in stats.top_pairs] == top
    hottest = max(drawn.values())
    assert drawn[stats.hot[0]] == hottest
    assert stats.frequency[stats.cold[0]] == min(stats.frequency[1:])
    for name, distribution in stats.distributions.items():
        balls = count * 6 if name in ("colour", "last_digit") else count
        assert sum(distribution.observed) == balls
        assert sum(distribution.expected) == pytest.approx(balls)
    colours = Counter(colour_of(number) for draw in history for number in draw.numbers)
    assert stats.distributions["colour"].observed == (colours["red"], colours["blue"], colours["green"])
    odd = Counter(sum(number % 2 for number in draw.numbers) for draw in history)
    assert stats.distributions["odd"].observed == tuple(odd[k] for k in range(7))


def test_whole_history_totals_and_json_keys() -> None:
    stats = compute_statistics(HISTORY)
    payload = stats.to_json()
    assert payload["draws"] == len(HISTORY) == 3369
    assert set(payload["frequency"]) == {str(n) for n in range(1, 50)}
    assert set(payload["extra_frequency"]) == {str(n) for n in range(1, 50)}
    assert sum(payload["frequency"].values()) == 6 * len(HISTORY)
    assert sum(payload["extra_frequency"].values()) == len(HISTORY)
    assert set(payload["chi_square"]) >= {"statistic", "p_value", "dof"}
    assert payload["chi_square"]["dof"] == 48
    assert 0 <= payload["chi_square"]["p_value"] <= 1
    assert payload["first_draw"] == {"draw_id": HISTORY[0].draw_id, "date": "2002-07-04"}
    assert payload["verdict"][-1].startswith("Past draws do not predict")
    low, high = payload["chance_band"]["all_numbers"]
    one_low, one_high = payload["chance_band"]["one_number"]
    assert low < one_low < stats.expected_frequency < one_high < high


def test_pair_band_covers_the_expected_pair_count() -> None:
    stats = compute_statistics(HISTORY)
    low, high = stats.pair_band
    assert low < stats.expected_pair_count < high
    assert stats.expected_pair_count == pytest.approx(len(HISTORY) * 15 / comb(49, 2))
    assert stats.top_pairs[0][2] <= high
    assert stats.to_json()["pair_chance_band"] == [low, high]


def test_chi_square_is_scaled_for_six_distinct_numbers() -> None:
    stats = compute_statistics(HISTORY)
    expected = len(HISTORY) * 6 / 49
    pearson = float(((stats.frequency[1:] - expected) ** 2 / expected).sum())
    assert stats.chi_square.pearson == pytest.approx(pearson)
    assert stats.chi_square.statistic == pytest.approx(pearson * 48 / 43)
    assert stats.chi_square.p_value == pytest.approx(float(chdtrc(48, pearson * 48 / 43)))


@pytest.mark.parametrize("statistic", [0.0, 0.5, 20.0, 47.9, 48.0, 65.2, 120.0, 400.0])
@pytest.mark.parametrize("dof", [2, 10, 48])
def test_chi_square_tail_matches_scipy(statistic: float, dof: int) -> None:
    assert chi_square_survival(statistic, dof) == pytest.approx(float(chdtrc(dof, statistic)), rel=1e-9)


def test_chi_square_tail_needs_an_even_dof() -> None:
    with pytest.raises(ValueError, match="even"):
        chi_square_survival(10.0, 47)


@pytest.mark.parametrize(("trials", "confidence"), [(1, 0.95), (10, 0.95), (100, 0.99), (3369, 0.999)])
def test_binomial_band_matches_scipy(trials: int, confidence: float) -> None:
    low, high = binom.interval(confidence, trials, 6 / 49)
    assert binomial_band(trials, 6 / 49, confidence) == (int(low), int(high))


def test_expected_distributions_are_exact() -> None:
    counts = _sum_counts()
    assert sum(counts) == comb(49, 6)
    assert sum(total * ways for total, ways in enumerate(counts)) / comb(49, 6) == 150
    assert counts[21] == 1  # 1+2+3+4+5+6
    assert counts[279] == 1  # 44+...+49
    assert SUM_BANDS[0][0] == 21
    assert SUM_BANDS[-1][1] == 279
    stats = compute_statistics(HISTORY)
    assert stats.distributions["consecutive_pairs"].expected[0] == pytest.approx(
        len(HISTORY) * comb(44, 6) / comb(49, 6)
    )
    assert stats.distributions["last_digit"].expected[0] == pytest.approx(len(HISTORY) * 6 * 4 / 49)


def test_a_rigged_history_fails_the_chi_square() -> None:
    rows = [[1, 2, 3, 4, 5, 6, 7]] * 200 + [[10, 20, 30, 40, 45, 49, 8]] * 200
    stats = compute_statistics(history_of(rows))
    assert stats.chi_square.p_value < 1e-6
    assert not stats.band.inside
    assert not stats.consistent_with_chance
    assert "outside that band" in " ".join(stats.verdict())


def test_nothing_to_count_is_refused() -> None:
    with pytest.raises(InputError, match="no draws"):
        compute_statistics(DrawHistory([]))
    with pytest.raises(InputError, match="1-49 game"):
        compute_statistics(legacy_history())


def test_last_n_uses_only_those_draws() -> None:
    stats = compute_statistics(HISTORY.last(100))
    assert stats.draws == 100
    assert int(stats.frequency.sum()) == 600
    assert stats.last_draw[0] == HISTORY.latest.draw_id
    assert np.all(stats.longest_gap[1:] <= 100)
