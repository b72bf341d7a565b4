"""Expected value of a line: exact fixed tiers, HKJC's pool rules, shared tiers."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from marksix.cli import cli
from marksix.domain.expected_value import expected_value, share_factor, shared_pools
from marksix.domain.popularity import PopularityParameters
from marksix.domain.rules import COMBINATIONS, TIERS
from marksix.draws.popularity_model import shipped_model
from marksix.errors import InputError

UNIFORM = PopularityParameters.uniform()


def test_share_factor_is_the_poisson_expectation() -> None:
    np.testing.assert_allclose(share_factor([0.0, 1.0, 2.0]), [1.0, 1 - np.exp(-1), (1 - np.exp(-2)) / 2])
    # Monte Carlo check of E[1/(1+N)] at λ = 3.
    draws = np.random.default_rng(0).poisson(3.0, 200_000)
    assert share_factor(3.0) == pytest.approx(np.mean(1 / (1 + draws)), rel=0.01)


def test_pools_follow_the_rules_document() -> None:
    pools = shared_pools(50_000_000, 20_000_000)
    units = 5_000_000
    fixed = units * sum(
        float(TIERS[k - 1].probability) * prize for k, prize in {4: 9600, 5: 640, 6: 320, 7: 40}.items()
    )
    pool = (0.54 * 50_000_000 - fixed) * 0.91
    assert pools["shared_pool"] == pytest.approx(pool)
    assert pools["first_division_fund"] == pytest.approx(0.45 * pool + 20_000_000)
    assert pools["second_division_fund"] == pytest.approx(0.15 * pool)
    assert pools["third_division_fund"] == pytest.approx(0.40 * pool)
    # A small draw with no jackpot still has the HK$8M minimum first-division fund.
    assert shared_pools(20_000_000, 0)["first_division_fund"] == 8_000_000


def test_fixed_tiers_are_exact() -> None:
    result = expected_value((3, 11, 19, 30, 38, 44), UNIFORM, turnover=40_000_000, jackpot=0)
    seventh = result.tiers[6]
    assert seventh.exact_contribution == Fraction(229_600, COMBINATIONS) * 40
    assert (
        seventh.to_json()["contribution_exact"]
        == f"{seventh.exact_contribution.numerator}/{seventh.exact_contribution.denominator}"
    )
    assert result.tiers[3].exact_contribution == Fraction(630, COMBINATIONS) * 9600


def test_uniform_play_co_winners_are_units_times_odds() -> None:
    result = expected_value((3, 11, 19, 30, 38, 44), UNIFORM, turnover=40_000_000, jackpot=0)
    units = 4_000_000
    for tier in result.tiers[:3]:
        assert tier.co_winners == pytest.approx(units * float(TIERS[tier.tier - 1].probability), rel=1e-9)
    assert result.expected_return == pytest.approx(result.uniform_return)
    assert result.expected_return < 10


def test_popular_line_is_worth_less_than_an_unpopular_one() -> None:
    parameters = shipped_model().parameters
    figures = {"turnover": 60_000_000, "jackpot": 30_000_000, "previous": (5, 12, 19, 26, 33, 40)}
    popular = expected_value((1, 2, 3, 4, 5, 6), parameters, **figures)  # type: ignore[arg-type]
    plain = expected_value((32, 39, 41, 44, 46, 47), parameters, **figures)  # type: ignore[arg-type]
    assert popular.tiers[0].co_winners > 10 * plain.tiers[0].co_winners
    assert popular.expected_return < plain.expected_return
    # the fixed tiers do not depend on popularity
    assert [t.contribution for t in popular.tiers[3:]] == [t.contribution for t in plain.tiers[3:]]


@pytest.mark.parametrize(
    ("numbers", "message"),
    [((1, 2, 3, 4, 5), "6 different numbers"), ((1, 2, 3, 4, 5, 50), "6 different numbers")],
)
def test_bad_lines_are_named(numbers: tuple[int, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        expected_value(numbers, UNIFORM, turnover=1, jackpot=0)
    with pytest.raises(InputError, match="turnover"):
        expected_value((1, 2, 3, 4, 5, 6), UNIFORM, turnover=0, jackpot=0)


def test_ev_command_json_uses_the_latest_draw(marksix_home: Path) -> None:
    result = CliRunner().invoke(cli, ["ev", "1", "2", "3", "4", "5", "6", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["numbers"] == [1, 2, 3, 4, 5, 6]
    assert payload["figures_from"].startswith("draw ")
    assert [tier["tier"] for tier in payload["tiers"]] == [1, 2, 3, 4, 5, 6, 7]
    assert payload["expected_return"] == pytest.approx(
        sum(t["contribution"] for t in payload["tiers"]), abs=1e-3
    )


def test_ev_command_text_and_errors(marksix_home: Path) -> None:
    result = CliRunner().invoke(
        cli, ["ev", "7", "8", "9", "11", "12", "18", "--turnover", "80000000", "--jackpot", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "Expected return: HK$" in result.output
    assert "chance to win is the same" in result.output
    bad = CliRunner().invoke(cli, ["ev", "1", "2", "3", "4", "5", "5"])
    assert bad.exit_code != 0


def test_rules_reproduce_hkjc_dividends_until_2024_05() -> None:
    from marksix.domain.expected_value import published_pool_ratio
    from marksix.draws.bundled import bundled_prizes

    records = bundled_prizes().values()
    before = published_pool_ratio([r for r in records if r.date.isoformat() < "2024-05-21"], last=200)
    after = published_pool_ratio([r for r in records if r.date.isoformat() >= "2024-05-21"], last=200)
    assert before is not None and after is not None
    assert before[0] == pytest.approx(1.0, abs=0.001)
    assert 0.7 < after[0] < 0.9


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["1", "2", "3", "4", "5", "5"], "duplicate numbers: 5"),
        (["1", "2", "3", "4", "5", "6", "7"], "needs 6 different numbers"),
        (["1", "2", "3", "4", "5", "6", "--turnover", "-5"], "turnover must be a positive"),
        (["1", "2", "3", "4", "5", "6", "--model", "missing.json"], "run `marksix popularity fit`"),
    ],
)
def test_ev_errors_name_the_problem(
    arguments: list[str], message: str, marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from marksix.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["ev", *arguments])
    assert stop.value.code == 1
    assert message in capsys.readouterr().err
