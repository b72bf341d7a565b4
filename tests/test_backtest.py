"""Backtest: no look-ahead, the same weights as `pick`, exact chance figures."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marksix.domain.backtest import (
    BACKTEST_STRATEGIES,
    DEFAULT_SEED,
    EXPECTED_MATCHES,
    MATCH_PROBABILITY,
    MATCH_VARIANCE,
    WARMUP,
    _result,
    balanced_mask,
    run_backtest,
    score,
    walk_forward_picks,
)
from marksix.domain.draws import DrawHistory
from marksix.domain.picks import WEIGHTINGS, is_balanced
from marksix.domain.rules import TIERS
from marksix.domain.tickets import tier_for
from marksix.draws.bundled import bundled_history
from marksix.errors import InputError

HISTORY = bundled_history()
#: A short history keeps the tests quick; it still has a full hot/cold window.
RECENT = HISTORY.last(400)


def rewritten_from(history: DrawHistory, start: int) -> DrawHistory:
    """The same draws before `start`; every draw from `start` on replaced."""
    draws = list(history)
    for index in range(start, len(draws)):
        draws[index] = dataclasses.replace(draws[index], numbers=(1, 2, 3, 4, 5, 6), extra=7)
    return DrawHistory(draws)


@pytest.mark.parametrize("strategy", BACKTEST_STRATEGIES)
def test_no_look_ahead(strategy: str) -> None:
    from marksix.domain.backtest import _weights_before_each_draw

    picks = walk_forward_picks(RECENT, strategy)
    weights = _weights_before_each_draw(RECENT, strategy)
    for t in range(WARMUP, len(RECENT), 15):
        changed = rewritten_from(RECENT, t)
        assert np.array_equal(walk_forward_picks(changed, strategy)[: t + 1], picks[: t + 1]), (
            f"draws from {t} on changed the pick for {t}"
        )
        assert np.array_equal(_weights_before_each_draw(changed, strategy)[: t + 1], weights[: t + 1])
        truncated = walk_forward_picks(DrawHistory(list(RECENT)[: t + 1]), strategy)
        assert np.array_equal(truncated[t], picks[t])


@pytest.mark.parametrize("strategy", ["hot", "cold", "overdue"])
def test_each_pick_uses_the_weights_pick_would_use(strategy: str) -> None:
    from marksix.domain.backtest import _weights_before_each_draw

    weights = _weights_before_each_draw(RECENT, strategy)
    for t in (1, 57, WARMUP, 333):
        expected, _ = WEIGHTINGS[strategy](RECENT.before(t))
        assert weights[t].tolist() == expected


@pytest.mark.parametrize("strategy", BACKTEST_STRATEGIES)
def test_picks_are_valid_lines_and_reproducible(strategy: str) -> None:
    picks = walk_forward_picks(RECENT, strategy)
    assert picks.shape == (len(RECENT), 6)
    assert np.all(np.diff(picks, axis=1) > 0)
    assert picks.min() >= 1
    assert picks.max() <= 49
    assert np.array_equal(picks, walk_forward_picks(RECENT, strategy, DEFAULT_SEED))
    assert not np.array_equal(picks, walk_forward_picks(RECENT, strategy, DEFAULT_SEED + 1))
    if strategy == "balanced":
        assert balanced_mask(picks).mean() > 0.999


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=49), min_size=6, max_size=6, unique=True))
def test_balanced_mask_agrees_with_is_balanced(line: list[int]) -> None:
    ordered = np.array([sorted(line)])
    assert bool(balanced_mask(ordered)[0]) == is_balanced(sorted(line))


def test_scoring_agrees_with_ticket_checking() -> None:
    rows = np.arange(len(RECENT), dtype=np.int64)
    lines = walk_forward_picks(RECENT, "random", seed=5)
    matched, tiers = score(RECENT, lines, rows)
    for row in range(0, len(RECENT), 7):
        draw = RECENT[row]
        line = tuple(int(n) for n in lines[row])
        assert matched[row] == len(set(line) & set(draw.numbers))
        assert tiers[row] == (tier_for(line, draw) or 0)


def test_chance_figures_are_exact() -> None:
    assert sum(MATCH_PROBABILITY) == 1
    assert Fraction(36, 49) == EXPECTED_MATCHES
    # Hypergeometric variance: n K/N (N-K)/N (N-n)/(N-1) with N=49, K=n=6.
    assert Fraction(6 * 6 * 43 * 43, 49 * 49 * 48) == MATCH_VARIANCE
    for tier in TIERS:  # the tier odds add up to the match odds
        same = [other.probability for other in TIERS if other.matched == tier.matched]
        assert sum(same) == MATCH_PROBABILITY[tier.matched]


def test_the_whole_history_shows_no_edge() -> None:
    result = run_backtest(HISTORY)
    assert result.draws == len(HISTORY) - WARMUP
    assert result.first_draw == HISTORY[WARMUP].draw_id
    assert [item.strategy for item in result.results] == list(BACKTEST_STRATEGIES)
    for item in result.results:
        assert sum(item.match_counts) == result.draws
        assert 0 <= item.p_value <= item.p_adjusted <= 1
        assert item.interval[0] < item.mean_matches < item.interval[1]
    payload = result.to_json()
    assert payload["seed"] == DEFAULT_SEED
    assert payload["expected_mean_matches"] == "36/49"
    assert {"strategy", "mean_matches", "ci95", "p_value", "p_value_holm", "tiers"} <= set(
        payload["strategies"][0]
    )
    assert set(payload["strategies"][0]["tiers"]) == {str(n) for n in range(1, 8)}
    # The bundled draws are fair; so is every strategy's result on them.
    assert payload["any_differs_from_chance"] is False
    assert payload["verdict"].startswith("No strategy differs from chance")


def test_last_n_and_a_single_strategy() -> None:
    result = run_backtest(HISTORY, ("cold",), last=50)
    assert result.draws == 50
    assert result.last_draw == HISTORY.latest.draw_id
    assert result.results[0].p_value == result.results[0].p_adjusted  # one test: nothing to adjust


def test_a_strategy_that_matches_too_much_is_called_out() -> None:
    lucky = _result("lucky", np.full(500, 3, dtype=np.int64), np.full(500, 7, dtype=np.int64))
    assert lucky.p_value < 1e-12
    fair = _result("fair", np.array([0, 1] * 250, dtype=np.int64), np.zeros(500, dtype=np.int64))
    from marksix.domain.backtest import Backtest, _holm

    verdict = Backtest(1, 500, "a", "b", _holm([lucky, fair])).verdict()
    assert verdict.startswith("lucky differs from chance")
    assert "Holm" in verdict


def test_impossible_backtests_are_refused() -> None:
    with pytest.raises(InputError, match="more than 100 draws"):
        run_backtest(HISTORY.last(100))
    with pytest.raises(InputError, match="cannot backtest 'unpopular'"):
        walk_forward_picks(RECENT, "unpopular")
    with pytest.raises(InputError, match="no strategy"):
        run_backtest(RECENT, ())
    with pytest.raises(InputError, match="at least 1"):
        run_backtest(RECENT, last=0)


def test_smallest_six_picks_the_six_smallest_keys_in_order() -> None:
    from marksix.domain.backtest import _smallest_six

    keys = np.random.default_rng(3).standard_exponential((500, 3, 49))
    expected = np.sort(np.argsort(keys, axis=-1)[..., :6] + 1, axis=-1)
    assert np.array_equal(_smallest_six(keys), expected)
    tied = np.ones((2, 49))
    tied[:, :6] = 0.5
    tied[1, 20:] = 0.5  # a tie at the threshold takes the exact path
    lines = _smallest_six(tied)
    assert lines[0].tolist() == [1, 2, 3, 4, 5, 6]
    assert len(set(lines[1].tolist())) == 6
