"""`marksix reply` with an LLM configured through MARKSIX_LLM_* (the fake local server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai_server import FakeOpenAI

from marksix.cli import cli


@pytest.fixture
def llm_env(marksix_home: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI) -> FakeOpenAI:
    monkeypatch.setenv("MARKSIX_LLM_BASE_URL", fake_openai.url)
    monkeypatch.setenv("MARKSIX_LLM_MODEL", "fake-model")
    monkeypatch.setenv("MARKSIX_LLM_API_KEY", "secret-key-never-printed")
    return fake_openai


def test_cli_uses_the_llm_when_configured(llm_env: FakeOpenAI) -> None:
    result = CliRunner().invoke(cli, ["reply", "--json", "--username", "ah_ming", "俾組號碼我"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["path"] == "llm" and "✨" in payload["reply"]
    assert "secret-key-never-printed" not in result.output
    assert llm_env.requests[0]["auth"] == "Bearer secret-key-never-printed"


def test_cli_falls_back_and_says_why(llm_env: FakeOpenAI) -> None:
    llm_env.behaviour = "claim"
    payload = json.loads(CliRunner().invoke(cli, ["reply", "--json", "俾組號碼我"]).output)
    assert payload["path"] == "template" and "forbidden claim" in payload["reason"]


def test_no_llm_flag_skips_the_model(llm_env: FakeOpenAI) -> None:
    payload = json.loads(CliRunner().invoke(cli, ["reply", "--json", "--no-llm", "俾組號碼我"]).output)
    assert payload["path"] == "template" and payload["reason"] is None
    assert llm_env.requests == []
