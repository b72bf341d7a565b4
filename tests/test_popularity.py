"""The popularity model: exact tier shares, the fit, the shipped parameters, the CLI."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marksix.cli import cli
from marksix.domain.draws import DrawHistory
from marksix.domain.popularity import (
    SHAPE_FEATURES,
    TIER_PROBABILITY,
    PopularityModel,
    PopularityParameters,
    combination_shares,
    draw_context,
    elementary_symmetric,
    previous_hits_of,
    shape_patterns,
    tier_shares,
)
from marksix.domain.popularity_fit import (
    FIT_TIERS,
    WinnerData,
    evaluate,
    fit_parameters,
    predicted_winners,
    winner_data,
)
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.draws.popularity_model import load_model, save_model, shipped_model
from marksix.errors import DataError


def _parameters(seed: int, random_share: float = 0.4) -> PopularityParameters:
    rng = np.random.default_rng(seed)
    return PopularityParameters(
        random_share,
        tuple(rng.normal(0, 0.4, 49)),
        0.3,
        0.8,
        tuple(rng.normal(0, 2.0, len(SHAPE_FEATURES))),
    )


def _shapes_of(numbers: tuple[int, ...]) -> set[str]:
    patterns = shape_patterns()
    for row, combination in enumerate(patterns.numbers.tolist()):
        if tuple(combination) == numbers:
            return {name for name, flag in zip(SHAPE_FEATURES, patterns.features[row], strict=True) if flag}
    return set()


def test_shapes_are_the_ones_people_draw() -> None:
    assert _shapes_of((1, 2, 3, 4, 5, 6)) == {"run", "one_decade"}
    assert _shapes_of((5, 10, 15, 20, 25, 30)) == {"progression"}
    assert _shapes_of((1, 8, 15, 22, 29, 36)) == {"progression", "grid7_line"}
    assert _shapes_of((1, 2, 3, 8, 9, 10)) == {"grid7_block"}
    assert _shapes_of((1, 2, 3, 11, 12, 13)) == {"grid10_block"}
    assert _shapes_of((40, 41, 43, 45, 47, 49)) == {"one_decade"}
    assert _shapes_of((3, 11, 19, 30, 38, 44)) == set()
    # 216 progressions + 924 one-decade lines + grid blocks, minus overlaps.
    assert 1200 < len(shape_patterns().numbers) < 1300


@given(st.lists(st.floats(0.01, 5.0), min_size=1, max_size=9), st.integers(0, 6))
@settings(max_examples=40, deadline=None)
def test_elementary_symmetric_matches_subsets(values: list[float], order: int) -> None:
    result = elementary_symmetric(np.array([values]), order)[0]
    for k in range(order + 1):
        expected = sum(np.prod(subset) for subset in itertools.combinations(values, k))
        assert result[k] == pytest.approx(expected, rel=1e-9)


def test_uniform_play_gives_exact_tier_probabilities() -> None:
    context = draw_context([(1, 2, 3, 4, 5, 6), (7, 19, 23, 31, 40, 48)], [7, 1], np.zeros((2, 50), bool))
    shares = tier_shares(PopularityParameters.uniform(), context)
    np.testing.assert_allclose(shares, np.vstack([TIER_PROBABILITY, TIER_PROBABILITY]), rtol=1e-12)


def test_popular_numbers_drawn_mean_more_winners() -> None:
    parameters = PopularityParameters(0.0, tuple([1.0] * 12 + [0.0] * 37), 0.0, 0.0, (0.0,) * 6)
    context = draw_context([(1, 3, 5, 7, 9, 11), (20, 25, 30, 35, 41, 46)], [2, 1], np.zeros((2, 50), bool))
    seventh = tier_shares(parameters, context)[:, 7]
    assert seventh[0] > TIER_PROBABILITY[7] > seventh[1]


def test_tier_shares_agree_with_combination_shares() -> None:
    # The 1st-prize share of a draw is the share of play on that very combination.
    parameters = _parameters(3)
    previous = previous_hits_of((2, 9, 16, 23, 30, 37))
    draws = [(1, 2, 3, 4, 5, 6), (1, 2, 3, 11, 12, 13), (9, 16, 23, 33, 41, 45)]
    context = draw_context(draws, [7, 20, 1], np.vstack([previous] * 3))
    first = tier_shares(parameters, context)[:, 1]
    np.testing.assert_allclose(first, combination_shares(parameters, draws, previous), rtol=1e-9)


def _synthetic_data(parameters: PopularityParameters, draws: int, seed: int) -> WinnerData:
    rng = np.random.default_rng(seed)
    drawn = np.array([np.sort(rng.choice(np.arange(1, 50), 7, replace=False)) for _ in range(draws)])
    extra = np.array([rng.choice(row) for row in drawn])
    six = np.array([[n for n in row if n != x] for row, x in zip(drawn, extra, strict=True)])
    previous = np.zeros((draws, 50), dtype=bool)
    previous[1:, :][np.repeat(np.arange(draws - 1), 6), six[:-1].ravel()] = True
    units = rng.uniform(4e6, 9e6, draws)
    data = WinnerData(
        tuple(f"S{i}" for i in range(draws)),
        tuple(dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(draws)),
        six,
        extra,
        previous,
        units,
        np.zeros((draws, len(FIT_TIERS))),
    )
    expected = predicted_winners(parameters, data, data.context())
    noisy = expected * np.exp(rng.normal(0, 0.03, expected.shape))
    return WinnerData(*[getattr(data, name) for name in WinnerData.__slots__[:-1]], noisy)


@pytest.mark.slow
def test_fit_recovers_known_popularity_out_of_sample() -> None:
    truth = PopularityParameters(0.6, tuple(np.linspace(0.8, -0.8, 49)), 0.0, 0.5, (0.0,) * 6)
    training = _synthetic_data(truth, 160, seed=1)
    later = _synthetic_data(truth, 60, seed=2)
    fitted = fit_parameters(training, max_evaluations=600)
    correlation = np.corrcoef(fitted.number_effects, truth.number_effects)[0, 1]
    assert correlation > 0.9
    scores = evaluate(fitted, later)
    assert scores["model_error"] < scores["baseline_error"] / 2


def test_winner_data_joins_draws_with_their_winners() -> None:
    data = winner_data(bundled_history(), bundled_prizes())
    assert len(data) > 3000
    assert data.dates[0] > dt.date(2002, 7, 4)  # the first 6/49 draw has no 6/49 predecessor
    first = data.draw_ids.index("25/027")
    assert data.units_sold[first] == pytest.approx(85_580_382 / 10)
    assert data.winners[first, FIT_TIERS.index(7)] == pytest.approx(171_923.4)
    # the previous draw's numbers are those of the draw before
    history = bundled_history()
    before = history[history.index_of("25/027") - 1]
    assert set(np.flatnonzero(data.previous_hits[first])) == set(before.numbers)


def test_winner_data_rejects_an_empty_join() -> None:
    with pytest.raises(DataError, match="nothing to fit"):
        winner_data(DrawHistory([]), {})


def test_model_json_round_trip_and_errors(tmp_path: Path) -> None:
    model = PopularityModel("test-1", _parameters(5), {"fit_draws": 10})
    path = tmp_path / "m.json"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.version == "test-1"
    assert loaded.fit["fit_draws"] == 10
    assert loaded.parameters.number_effects == pytest.approx(model.parameters.number_effects, abs=1e-6)
    path.write_text(json.dumps({"version": "x", "parameters": {"random_share": 0.5}}))
    with pytest.raises(DataError, match=r"m\.json"):
        load_model(path)
    with pytest.raises(DataError, match="popularity fit"):
        load_model(tmp_path / "missing.json")
    with pytest.raises(DataError, match="share between 0 and 1"):
        PopularityParameters(1.5, (0.0,) * 49, 0.0, 0.0, (0.0,) * 6)


def test_shipped_model_is_versioned_and_beats_uniform_play() -> None:
    model = shipped_model()
    assert model.version.startswith("popularity-")
    for key in ("fit_draws", "holdout_draws", "metric", "baseline_error", "model_error"):
        assert key in model.fit
    assert model.fit["model_error"] < model.fit["baseline_error"]
    assert model.fit["fit_range"]["to"] < model.fit["holdout_range"]["from"]


def test_report_json_has_the_documented_keys() -> None:
    result = CliRunner().invoke(cli, ["popularity", "report", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    for key in ("fit_draws", "holdout_draws", "metric", "baseline_error", "model_error"):
        assert key in payload
    groups = payload["first_prize_check"]["groups"]
    # 1st-prize winners are never fitted, yet the least popular fifth of
    # draws had fewer of them than uniform play predicts, the most popular more.
    assert groups[0]["actual_units"] < groups[0]["uniform_units"]
    assert groups[-1]["actual_units"] > groups[-1]["uniform_units"]
    text = CliRunner().invoke(cli, ["popularity", "report"])
    assert "uniform play" in text.output
    assert "never used in the fit" in text.output
    assert "same chance" in text.output


@pytest.mark.slow
def test_fit_command_writes_a_model(
    marksix_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A small slice keeps the test fast: 2025's draws, holdout from September.
    history = bundled_history()
    recent = DrawHistory([draw for draw in history if draw.date >= dt.date(2025, 1, 1)])
    monkeypatch.setattr("marksix.draws.archive.load_history", lambda home=None, database_url=None: recent)
    output = tmp_path / "refit.json"
    result = CliRunner().invoke(
        cli,
        [
            "popularity",
            "fit",
            "--output",
            str(output),
            "--holdout-from",
            "2025-09-01",
            "--max-evaluations",
            "300",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["written_to"] == str(output)
    assert payload["holdout_range"]["from"] >= "2025-09-01"
    assert load_model(output).version.startswith("popularity-")
    assert "Fitting on" in result.stderr


@pytest.mark.parametrize("arguments", [["popularity", "fit"], ["popularity", "report"], ["ev"]])
def test_popularity_commands_teach_with_examples(arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, [*arguments, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"marksix {' '.join(arguments)}" in result.output
