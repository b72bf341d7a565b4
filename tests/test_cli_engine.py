"""`marksix stats`, `backtest`, `pick` and `demo`, through the real entry point."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli_runner import run
from marksix.cli import COMMANDS, cli
from marksix.domain.picks import HONEST_CAVEAT


def test_every_available_command_has_help() -> None:
    runner = CliRunner()
    available = [name for name, (module, _, _) in COMMANDS.items() if find_spec(module) is not None]
    assert {"stats", "backtest", "pick", "demo"} <= set(available)
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name in available:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, name
        assert (command.help or "").strip(), f"{name} has no help"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert name in top.output


@pytest.mark.parametrize("name", ["stats", "backtest", "pick", "demo"])
def test_engine_commands_teach_with_examples(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"marksix {name}" in result.output


def test_stats_json_has_the_documented_keys(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["draws"] == 3369
    assert list(payload["frequency"]) == [str(n) for n in range(1, 50)]
    assert list(payload["extra_frequency"]) == [str(n) for n in range(1, 50)]
    assert {"statistic", "p_value", "dof"} <= set(payload["chi_square"])
    for key in ("since_last_seen", "longest_gap", "hot", "cold", "top_pairs", "distributions", "verdict"):
        assert key in payload
    assert set(payload["distributions"]) == {"odd", "low", "sum", "consecutive_pairs", "colour", "last_digit"}


def test_stats_text_ends_with_the_verdict(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--last", "100")
    assert code == 0
    assert out.startswith("Mark Six 6/49 statistics: 100 draws")
    for heading in ("Hot (most drawn)", "Cold (least drawn)", "Top pairs", "Ball colours", "Last digits"):
        assert heading in out
    verdict = out.split("\nVerdict\n", 1)[1]
    assert "Chi-square against uniform" in verdict
    assert "By pure chance every number's count falls within" in verdict
    assert "Past draws do not predict future ones" in verdict


def test_stats_refuses_a_bad_last(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stats", "--last", "0")
    assert code != 0
    assert "--last" in err


def test_backtest_json_and_text(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backtest", "--last", "200", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["draws"] == 200
    assert payload["seed"] == 20020704
    assert payload["expected_mean_matches"] == "36/49"
    assert [item["strategy"] for item in payload["strategies"]] == [
        "random",
        "hot",
        "cold",
        "overdue",
        "balanced",
    ]
    code, text, _ = run(capsys, "backtest", "--strategy", "hot", "--last", "200", "--seed", "3")
    assert code == 0
    assert "seed 3" in text
    assert "Each line is picked from the draws before its draw only." in text
    assert "Verdict:" in text
    assert "differs from chance" in text


def test_backtest_names_an_unknown_strategy(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "backtest", "--strategy", "lucky")
    assert code == 1
    assert "cannot backtest strategy 'lucky'" in err
    code, _, err = run(capsys, "backtest", "--strategy", "unpopular")
    assert code == 1
    assert "not replayed" in err


def test_pick_json_shape_and_seed(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("pick", "--strategy", "hot", "--lines", "3", "--seed", "42", "--json")
    code, out, _ = run(capsys, *args)
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"strategy", "tickets", "note"}
    assert payload["strategy"] == "hot"
    assert len(payload["tickets"]) == 3
    assert len({tuple(ticket) for ticket in payload["tickets"]}) == 3
    assert all(ticket == sorted(ticket) and len(ticket) == 6 for ticket in payload["tickets"])
    assert payload["note"].endswith(HONEST_CAVEAT)
    assert run(capsys, *args)[1] == out


def test_pick_accepts_repeated_and_comma_lists(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "pick", "-i", "8,18", "--include", "3", "-x", "1,2", "-x", "4", "-n", "5", "--json"
    )
    assert code == 0
    for ticket in json.loads(out)["tickets"]:
        assert {3, 8, 18} <= set(ticket)
        assert not {1, 2, 4} & set(ticket)


def test_pick_banker_entry_text(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "pick", "--size", "8", "-b", "7,9", "--seed", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("random: 1 line for the draw on ")
    assert lines[1].strip().startswith("[ 7  9] +")
    assert len(lines[1].split("+")[1].split()) == 6
    assert HONEST_CAVEAT in out
    assert "18+" in out
    assert "1834 633" in out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("-i", "1,2,3,4,5,6,7"), "7 numbers must be included but the size is only 6"),
        (("-i", "8", "-x", "8"), "8 cannot be both included and excluded"),
        (("-x", ",".join(str(n) for n in range(1, 45))), "only 5 numbers remain"),
        (("--size", "4"), "size 4 is not possible"),
    ],
)
def test_pick_refuses_impossible_requests(
    marksix_home: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], reason: str
) -> None:
    code, out, err = run(capsys, "pick", *args)
    assert code == 1
    assert out == ""
    assert reason in err


def test_pick_rejects_bad_input_by_name(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "pick", "--include", "8,x")
    assert code == 2
    assert "'x' is not a whole number" in err
    code, _, err = run(capsys, "pick", "--strategy", "lucky")
    assert code == 2
    assert "'lucky' is not one of random, hot, cold, overdue, balanced" in err


def test_demo_shows_picks_statistics_and_the_footer(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "demo", "--seed", "1")
    assert code == 0
    assert "Next draw:" in out
    assert out.count(HONEST_CAVEAT) == 3
    assert "Chi-square against uniform" in out
    assert "18+" in out
    assert "1834 633" in out
    assert run(capsys, "demo", "--seed", "1")[1] == out


@pytest.mark.parametrize("args", [["odds"], ["pick", "--seed", "1"], ["pick", "-s", "overdue", "--json"]])
def test_fast_commands_keep_heavy_stacks_out(marksix_home: Path, args: list[str]) -> None:
    import subprocess
    import sys

    heavy = ("scipy", "sqlalchemy", "pydantic", "httpx", "fastapi", "starlette", "openai", "PIL", "jinja2")
    script = (
        "import sys, io, contextlib\n"
        "from marksix.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({args!r})\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
