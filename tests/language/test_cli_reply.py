"""`marksix reply`: text and --json output, reproducible without a comment id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from marksix.cli import cli


@pytest.fixture
def runner(marksix_home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("MARKSIX_LLM_BASE_URL", "MARKSIX_LLM_MODEL", "MARKSIX_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MARKSIX_REPLY_SECRET", "cli-test-secret")
    return CliRunner()


def test_reply_prints_the_reply(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reply", "--username", "ah_ming", "俾組號碼我 要有8號 唔要4"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("@ah_ming ")
    assert "🔴08" in result.output and "1834 633" in result.output


def test_reply_json_has_stable_keys_and_repeats(runner: CliRunner) -> None:
    args = ["reply", "--json", "8做膽 3組 熱門"]
    first = json.loads(runner.invoke(cli, args).output)
    second = json.loads(runner.invoke(cli, args).output)
    assert first == second
    assert set(first) == {"intent", "topic", "language", "request", "tickets", "reply", "path", "reason"}
    assert first["topic"] == "pick"
    assert first["intent"] == "pick" and first["language"] == "zh-HK" and first["path"] == "template"
    assert first["request"] == {
        "include": [],
        "exclude": [],
        "size": 7,
        "bankers": [8],
        "lines": 3,
        "strategy": "hot",
        "ticket": None,
    }
    assert len(first["tickets"]) == 3


def test_reply_language_option_and_ignored_comments(runner: CliRunner) -> None:
    english = json.loads(runner.invoke(cli, ["reply", "--json", "--lang", "en", "上期開咩號"]).output)
    assert english["language"] == "en" and english["intent"] == "last_result"
    ignored = runner.invoke(cli, ["reply", "buy followers http://spam.example.com"])
    assert ignored.exit_code == 0
    assert "no reply" in ignored.output


def test_reply_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reply", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "marksix reply" in result.output


@pytest.mark.parametrize(
    ("text", "intent", "topic"),
    [
        ("23號幾耐冇出過？", "stats", "number_gap"),
        ("7号出了几次", "stats", "number_frequency"),
        ("is 8 a hot number?", "stats", "number_hot"),
        ("下期頭獎幾多錢？", "next_draw", "jackpot"),
        ("今晚有冇攪珠？", "next_draw", "draw_today"),
        ("7個號複式中頭獎機會大咗幾多？", "odds", "multiple_odds"),
        ("how much is the 7th prize?", "help", "prize_amount"),
    ],
)
def test_reply_json_keeps_the_nine_intents_and_names_the_new_topics(
    runner: CliRunner, text: str, intent: str, topic: str
) -> None:
    result = json.loads(runner.invoke(cli, ["reply", "--json", text]).output)
    assert (result["intent"], result["topic"], result["tickets"]) == (intent, topic, [])
