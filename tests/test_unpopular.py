"""All-combination arrays and the `unpopular` strategy.

Only the module fixture `scores` enumerates all 13,983,816 combinations; it
runs once and the tests that need the full space share it (score_all caches).
"""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marksix.cli import cli
from marksix.domain.combinations import combination_rank, combination_sums, combinations_at
from marksix.domain.picks import PickRequest, pick
from marksix.domain.popularity import draw_context, previous_hits_of, tier_shares
from marksix.domain.rules import COMBINATIONS
from marksix.domain.unpopular import BEST_FRACTION, CombinationScores, pick_unpopular, score_all
from marksix.draws.bundled import bundled_history
from marksix.draws.popularity_model import shipped_model
from marksix.errors import PickError


@given(st.integers(6, 13), st.integers(1, 6), st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_combination_arrays_follow_itertools_order(pool: int, size: int, seed: int) -> None:
    rows = np.array(list(itertools.combinations(range(1, pool + 1), size)))
    values = np.random.default_rng(seed).normal(size=pool)
    np.testing.assert_allclose(combination_sums(values, np.float64, size), values[rows - 1].sum(axis=1))
    np.testing.assert_array_equal(combination_rank(rows, pool, size), np.arange(len(rows)))
    np.testing.assert_array_equal(combinations_at(np.arange(len(rows)), pool, size), rows)


def test_rank_of_the_full_space_ends() -> None:
    assert combination_rank([(1, 2, 3, 4, 5, 6), (44, 45, 46, 47, 48, 49)]).tolist() == [0, COMBINATIONS - 1]


@pytest.fixture(scope="module")
def scores() -> CombinationScores:
    return score_all(shipped_model().parameters, bundled_history().latest.numbers)


def test_one_pass_scores_agree_with_the_exact_model(scores: CombinationScores) -> None:
    parameters = shipped_model().parameters
    weights = np.exp(scores.log_weight.astype(np.float64) - scores.log_total)
    assert weights.sum() == pytest.approx(1.0, rel=1e-5)
    # A draw's 1st- and 3rd-prize shares, summed over the enumerated space,
    # equal the closed form the fit uses.
    drawn, extra = (1, 2, 3, 11, 12, 13), 20
    marks = np.zeros(49, dtype=np.int8)
    marks[[n - 1 for n in drawn]] = 1
    matched = combination_sums(marks, np.int8)
    marks[:] = 0
    marks[extra - 1] = 1
    has_extra = combination_sums(marks, np.int8)
    shares = parameters.random_share / COMBINATIONS + (1 - parameters.random_share) * weights
    previous = previous_hits_of(bundled_history().latest.numbers)
    exact = tier_shares(parameters, draw_context([drawn], [extra], previous[None, :]))[0]
    assert shares[(matched == 6)].sum() == pytest.approx(exact[1], rel=1e-4)
    assert shares[(matched == 5) & (has_extra == 0)].sum() == pytest.approx(exact[3], rel=1e-4)
    assert shares[(matched == 3) & (has_extra == 0)].sum() == pytest.approx(exact[7], rel=1e-4)


def test_unpopular_picks_come_from_the_least_popular_and_are_seeded(scores: CombinationScores) -> None:
    history = bundled_history()
    request = PickRequest(strategy="unpopular", lines=5)
    first = pick(request, history, random.Random("1"), popularity=shipped_model())
    again = pick(request, history, random.Random("1"), popularity=shipped_model())
    other = pick(request, history, random.Random("2"), popularity=shipped_model())
    assert first.tickets == again.tickets
    assert first.tickets != other.tickets
    assert len(set(first.tickets)) == 5
    cutoff = np.quantile(scores.log_weight[::97], BEST_FRACTION)
    chosen = scores.log_weight[combination_rank(np.array(first.tickets))]
    assert (chosen <= cutoff + 0.05).all()
    assert "Your chance to win is unchanged" in first.note
    assert "times fewer people" in first.note
    assert all(ratio > 1 for ratio in first.details["popularity"]["fewer_co_winners"])


def test_unpopular_honours_include_exclude_size_and_bankers(scores: CombinationScores) -> None:
    history = bundled_history()
    rng = random.Random("include")
    result = pick_unpopular(
        PickRequest("unpopular", include=(8, 18), exclude=(41, 46), lines=4), history, rng, shipped_model()
    )
    for ticket in result.tickets:
        assert {8, 18} <= set(ticket)
        assert not {41, 46} & set(ticket)
    big = pick_unpopular(
        PickRequest("unpopular", exclude=(1, 2), size=9, lines=2), history, rng, shipped_model()
    )
    assert all(len(ticket) == 9 and not {1, 2} & set(ticket) for ticket in big.tickets)
    banker = pick_unpopular(PickRequest("unpopular", bankers=(7,), size=8), history, rng, shipped_model())
    assert 7 in banker.tickets[0] and banker.bankers == (7,)
    request = PickRequest("unpopular", include=(1, 2, 3, 4, 5, 6, 7), size=8)
    forced = pick_unpopular(request, history, rng, shipped_model())
    assert set(range(1, 8)) < set(forced.tickets[0])
    with pytest.raises(PickError):
        pick_unpopular(
            PickRequest("unpopular", include=(1, 2, 3, 4, 5), exclude=tuple(range(6, 50))),
            history,
            rng,
            shipped_model(),
        )


def test_pick_command_runs_the_unpopular_strategy(scores: CombinationScores, marksix_home: object) -> None:
    result = CliRunner().invoke(cli, ["pick", "--strategy", "unpopular", "--seed", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["strategy"] == "unpopular"
    assert len(payload["tickets"][0]) == 6
    again = CliRunner().invoke(cli, ["pick", "--strategy", "unpopular", "--seed", "1", "--json"])
    assert json.loads(again.output)["tickets"] == payload["tickets"]


def test_without_the_model_the_unpopular_strategy_says_what_it_needs() -> None:
    # The domain reads no file: the model is loaded at the edge and passed in.
    with pytest.raises(PickError, match="popularity model"):
        pick(PickRequest(strategy="unpopular"), bundled_history(), random.Random("1"))
