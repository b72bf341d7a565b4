"""Picks: every strategy honours the request, seeds reproduce, impossible
requests are refused with the reason."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksix.domain.draws import POOL, DrawHistory
from marksix.domain.picks import (
    HONEST_CAVEAT,
    HOT_COLD_WINDOW,
    STRATEGIES,
    WEIGHTINGS,
    PickRequest,
    is_balanced,
    last_seen_index,
    make_random,
    pick,
    validate,
)
from marksix.draws.bundled import bundled_history
from marksix.errors import PickError

BUILT_IN = tuple(WEIGHTINGS)
HISTORY = bundled_history()

numbers = st.integers(min_value=1, max_value=POOL)


@st.composite
def requests(draw: st.DrawFn) -> PickRequest:
    return PickRequest(
        strategy=draw(st.sampled_from(BUILT_IN)),
        include=tuple(draw(st.lists(numbers, max_size=8))),
        exclude=tuple(draw(st.lists(numbers, max_size=45))),
        size=draw(st.integers(min_value=5, max_value=12)),
        bankers=tuple(draw(st.lists(numbers, max_size=6))),
        lines=draw(st.integers(min_value=0, max_value=6)),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(request=requests(), seed=st.integers())
def test_every_strategy_honours_the_request_or_refuses_it(request: PickRequest, seed: int) -> None:
    try:
        validate(request)
    except PickError as refused:
        assert str(refused)
        with pytest.raises(PickError):
            pick(request, HISTORY, make_random(seed))
        return
    result = pick(request, HISTORY, make_random(seed))
    forced = set(request.include) | set(request.bankers)
    assert len(result.tickets) == request.lines
    assert len(set(result.tickets)) == request.lines
    for ticket in result.tickets:
        assert list(ticket) == sorted(set(ticket))
        assert len(ticket) == request.size
        assert forced <= set(ticket)
        assert not set(ticket) & set(request.exclude)
        assert all(1 <= number <= POOL for number in ticket)
    assert result.bankers == tuple(sorted(set(request.bankers)))
    assert result.note.endswith(HONEST_CAVEAT)
    assert result.to_json()["tickets"] == [list(ticket) for ticket in result.tickets]


@settings(max_examples=60, deadline=None)
@given(strategy=st.sampled_from(BUILT_IN), seed=st.one_of(st.integers(), st.text(max_size=12)))
def test_a_seed_gives_the_same_picks_every_time(strategy: str, seed: int | str) -> None:
    request = PickRequest(strategy=strategy, lines=4, include=(8,), exclude=(4,))
    first = pick(request, HISTORY, make_random(seed))
    second = pick(request, HISTORY, make_random(seed))
    assert first == second


def test_seeded_picks_are_pinned_so_every_machine_agrees() -> None:
    # random.Random(str) is specified (SHA-512 of the text + Mersenne Twister),
    # so these lines are the same on every platform and Python 3 build.
    result = pick(PickRequest(strategy="random", lines=2), None, make_random(42))
    assert result.tickets == ((4, 21, 24, 42, 46, 49), (5, 19, 20, 33, 38, 42))
    hot = pick(PickRequest(strategy="hot", lines=2), HISTORY, make_random(42))
    assert hot.tickets == pick(PickRequest(strategy="hot", lines=2), HISTORY, make_random("42")).tickets


def test_without_a_seed_the_os_source_is_used() -> None:
    assert isinstance(make_random(None), random.SystemRandom)
    assert not isinstance(make_random(0), random.SystemRandom)


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (PickRequest(include=(1, 2, 3, 4, 5, 6, 7)), "7 numbers must be included but the size is only 6"),
        (PickRequest(include=(8,), exclude=(8,)), "8 cannot be both included and excluded"),
        (PickRequest(bankers=(8,), exclude=(8,), size=7), "8 cannot be both included and excluded"),
        (
            PickRequest(exclude=tuple(range(1, 45))),
            "only 5 numbers remain after the exclusions, too few for 6",
        ),
        (PickRequest(size=5), "size 5 is not possible"),
        (PickRequest(size=50), "size 50 is not possible"),
        (PickRequest(include=(0,)), "include number 0 out of range 1-49"),
        (PickRequest(exclude=(50, 51)), "exclude numbers 50, 51 out of range 1-49"),
        (PickRequest(bankers=(3,)), "a banker entry needs at least 7 numbers"),
        (PickRequest(bankers=(1, 2, 3, 4, 5, 6), size=8), "too many bankers: 6, at most 5"),
        (PickRequest(lines=0), "lines must be between 1 and 100"),
        (PickRequest(strategy="lucky"), "unknown strategy 'lucky'"),
        (
            PickRequest(include=(1, 2, 3, 4, 5), exclude=tuple(range(8, 50)), lines=3),
            "only 2 distinct combinations fit these constraints, fewer than the 3 lines asked for",
        ),
    ],
)
def test_impossible_requests_are_refused_with_the_reason(request_: PickRequest, reason: str) -> None:
    with pytest.raises(PickError, match=reason.replace("(", r"\(")):
        pick(request_, HISTORY, make_random(1))


def test_history_strategies_need_a_history() -> None:
    for strategy in ("hot", "cold", "overdue"):
        with pytest.raises(PickError, match="needs the draw history"):
            pick(PickRequest(strategy=strategy), None, make_random(1))
        with pytest.raises(PickError, match="needs the draw history"):
            pick(PickRequest(strategy=strategy), DrawHistory([]), make_random(1))


def test_a_missing_lazy_strategy_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail as if the module were not shipped.
    assert "unpopular" in STRATEGIES
    monkeypatch.setitem(sys.modules, "marksix.domain.unpopular", None)
    with pytest.raises(PickError, match="the unpopular strategy is not available"):
        pick(PickRequest(strategy="unpopular"), HISTORY, make_random(1))


def test_the_lazy_strategy_loads_when_asked_for() -> None:
    from marksix.draws.popularity_model import shipped_model

    result = pick(
        PickRequest(strategy="unpopular", lines=2), HISTORY, make_random(1), popularity=shipped_model()
    )
    assert len(result.tickets) == 2
    assert all(len(set(ticket)) == 6 for ticket in result.tickets)


def test_the_unpopular_strategy_without_a_model_is_a_clear_error() -> None:
    with pytest.raises(PickError, match="popularity model"):
        pick(PickRequest(strategy="unpopular", lines=1), HISTORY, make_random(1))


def test_every_possible_line_can_be_asked_for() -> None:
    # Exactly C(7, 1) = 7 lines fit: every one must come out, none twice.
    request = PickRequest(strategy="hot", include=(1, 2, 3, 4, 5), exclude=tuple(range(13, 50)), lines=7)
    result = pick(request, HISTORY, make_random(3))
    assert sorted(result.tickets) == [(1, 2, 3, 4, 5, n) for n in range(6, 13)]


def test_hot_and_cold_weigh_the_last_window() -> None:
    weights, note = WEIGHTINGS["hot"](HISTORY)
    counts = HISTORY.last(HOT_COLD_WINDOW).hits.sum(axis=0)
    assert weights[0] == 0.0
    assert weights[1:] == [float(count) + 0.5 for count in counts[1:]]
    cold, cold_note = WEIGHTINGS["cold"](HISTORY)
    assert np.argmax(cold[1:]) == np.argmin(counts[1:])
    assert f"last {HOT_COLD_WINDOW} draws" in note
    assert "less often" in cold_note


def test_overdue_weighs_draws_since_last_seen() -> None:
    recent = HISTORY.last(30)
    weights, _ = WEIGHTINGS["overdue"](recent)
    for number in range(1, POOL + 1):
        seen = [index for index, draw in enumerate(recent) if number in draw.numbers]
        expected = len(recent) - seen[-1] if seen else len(recent) + 1
        assert weights[number] == expected
    assert list(last_seen_index(recent.hits)[1:]) == [
        max((i for i, draw in enumerate(recent) if n in draw.numbers), default=-1) for n in range(1, POOL + 1)
    ]


def test_balanced_lines_are_balanced_when_possible() -> None:
    result = pick(PickRequest(strategy="balanced", lines=20), None, make_random(9))
    assert all(is_balanced(ticket) for ticket in result.tickets)
    assert "plain random" not in result.note


def test_balanced_says_so_when_the_constraints_rule_it_out() -> None:
    result = pick(PickRequest(strategy="balanced", include=(1, 2, 3, 4)), None, make_random(9))
    assert "plain random" in result.note
    assert result.note.endswith(HONEST_CAVEAT)


def test_is_balanced() -> None:
    assert is_balanced((3, 12, 20, 29, 36, 45))
    assert not is_balanced((1, 2, 3, 30, 40, 45))  # a run of three
    assert not is_balanced((1, 3, 5, 7, 9, 40))  # five odd
    assert not is_balanced((1, 2, 4, 6, 8, 10))  # sum far too low
