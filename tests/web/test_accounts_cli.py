"""`marksix accounts` on the sandbox: the account was connected through subscribed_apps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli_runner import run
from marksix.config import load_settings
from marksix.sandbox import DEFAULT_USERNAME
from marksix.web.app import create_app
from marksix.web.runtime import Runtime, ServeOptions


def test_accounts_list_shows_the_sandbox_account_subscribed(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(home=marksix_home, _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app):
        runtime: Runtime = app.state.runtime
        assert runtime.simulator is not None
        simulated = runtime.simulator.state.account
        # Subscribed through the Graph call, not preset: the simulator starts accounts unsubscribed.
        assert simulated.subscribed_fields == ["comments", "live_comments"]
    capsys.readouterr()  # the server's own log lines
    code, out, _ = run(capsys, "accounts", "list", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["id"] == simulated.id and row["username"] == DEFAULT_USERNAME
    assert row["status"] == "active" and row["alert"] is None
    assert "comments" in row["subscribed_fields"]
    expires = dt.datetime.fromisoformat(row["token_expires_at"])
    assert dt.timedelta(days=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=61)
    assert "instagram_business_manage_comments" in row["scopes"]
    assert set(row) >= {
        "id",
        "username",
        "status",
        "subscribed_fields",
        "token_expires_at",
        "scopes",
        "alert",
    }
    code, out, _ = run(capsys, "accounts", "show", simulated.id, "--json")
    assert code == 0 and json.loads(out)["id"] == simulated.id
    code, _, err = run(capsys, "accounts", "show", "404")
    assert code != 0 and "404" in err and "Traceback" not in err


def test_accounts_list_with_no_account_says_how_to_connect(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "accounts", "list")
    assert code == 0 and "No account is connected" in out


@pytest.fixture
def simulator_server(marksix_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A strict simulator on loopback, with this app's secret, as Graph for the CLI."""
    from marksix.sandbox import BackgroundServer, create_simulator_app

    app = create_simulator_app(app_secret="cli-app-secret", webhook_url=None, latency_ms=0)
    with BackgroundServer(app) as server:
        monkeypatch.setenv("MARKSIX_APP_SECRET", "cli-app-secret")
        monkeypatch.setenv("MARKSIX_GRAPH_HOST", server.url + "/simulated-graph")
        monkeypatch.chdir(marksix_home.parent)  # no developer's .env
        yield app.state.simulator


def test_accounts_add_exchanges_a_dashboard_token_and_records_its_expiry(
    simulator_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    state = simulator_server.state
    shop = state.add_account("tea.shop", "unused-token")
    # What the App Dashboard hands out: an hour-long token with the app's permissions.
    short = state.issue_token(shop, long_lived=False)
    code, out, err = run(
        capsys,
        "accounts",
        "add",
        "--token",
        short.value,
        "--scopes",
        "instagram_business_basic,instagram_business_manage_comments",
        "--json",
    )
    assert code == 0, err
    row = json.loads(out)
    assert row["id"] == shop.id and row["username"] == "tea.shop" and row["status"] == "active"
    assert row["subscribed_fields"] == ["comments", "live_comments"] and row["problem"] is None
    assert row["scopes"] == ["instagram_business_basic", "instagram_business_manage_comments"]
    expires = dt.datetime.fromisoformat(row["token_expires_at"])
    assert dt.timedelta(days=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=61)
    assert short.value not in out + err
    assert state.accounts[shop.id].subscribed_fields == ["comments", "live_comments"]
    # Stored is the long-lived token the exchange gave, not the hour-long one.
    code, out, _ = run(capsys, "accounts", "list", "--json")
    [listed] = [entry for entry in json.loads(out) if entry["id"] == shop.id]
    assert listed["token_expires_at"] == row["token_expires_at"]
    issued = [token for token in state.tokens.values() if token.account_id == shop.id]
    exchanged = [token for token in issued if token.value not in ("unused-token", short.value)]
    assert len(exchanged) == 1 and exchanged[0].long_lived


def test_accounts_add_with_a_bad_token_says_which_step_failed(
    simulator_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "accounts", "add", "--token", "IGAA-made-up", "--json")
    assert code == 1 and out == ""
    assert "exchanging for a long-lived token (ig_exchange_token) failed" in err
    assert "190" in err and "Traceback" not in err and "IGAA-made-up" not in err


def test_accounts_add_with_the_wrong_app_secret_is_refused(
    simulator_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = simulator_server.state
    short = state.issue_token(state.account, long_lived=False)
    monkeypatch.setenv("MARKSIX_INSTAGRAM_APP_SECRET", "not-the-app-secret")
    code, _, err = run(capsys, "accounts", "add", "--token", short.value)
    assert code == 1 and "client secret" in err and "not-the-app-secret" not in err


def test_accounts_subscribe_and_remove(simulator_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    state = simulator_server.state
    short = state.issue_token(state.account, long_lived=False)
    assert run(capsys, "accounts", "add", "--token", short.value)[0] == 0
    account_id = state.account.id
    state.accounts[account_id].subscribed_fields = []  # as after "Webhooks Disabled"
    code, out, _ = run(capsys, "accounts", "subscribe", account_id, "--json")
    assert code == 0 and json.loads(out)["subscribed_fields"] == ["comments", "live_comments"]
    assert state.accounts[account_id].subscribed_fields == ["comments", "live_comments"]
    code, _, err = run(capsys, "accounts", "subscribe", "404")
    assert code == 1 and "404" in err
    from click.testing import CliRunner

    from marksix.cli import cli

    declined = CliRunner().invoke(cli, ["accounts", "remove", account_id], input="n\n")
    assert declined.exit_code != 0 and "Remove @marksix.sandbox" in declined.output
    assert run(capsys, "accounts", "show", account_id)[0] == 0
    code, out, _ = run(capsys, "accounts", "remove", account_id, "--yes", "--json")
    assert code == 0 and json.loads(out) == {
        "id": account_id,
        "username": state.account.username,
        "removed": True,
    }
    assert run(capsys, "accounts", "show", account_id)[0] == 1


def test_accounts_connect_prints_the_link_and_names_what_is_missing(
    marksix_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(marksix_home.parent)
    code, _, err = run(capsys, "accounts", "connect")
    assert code == 1
    assert "MARKSIX_INSTAGRAM_APP_ID" in err and "MARKSIX_PUBLIC_URL" in err
    monkeypatch.setenv("MARKSIX_INSTAGRAM_APP_ID", "990602627938098")
    monkeypatch.setenv("MARKSIX_INSTAGRAM_APP_SECRET", "a-real-secret")
    code, _, err = run(capsys, "accounts", "connect", "--url", "http://bot.example.hk")
    assert code == 1 and "https://" in err
    monkeypatch.setenv("MARKSIX_PUBLIC_URL", "https://bot.example.hk")
    code, out, _ = run(capsys, "accounts", "connect", "--json")
    assert code == 0
    row = json.loads(out)
    assert row["connect_url"] == "https://bot.example.hk/dashboard/accounts/connect"
    assert row["redirect_uri"] == "https://bot.example.hk/dashboard/accounts/callback"
    assert row["authorize_url"] == "https://www.instagram.com/oauth/authorize"
    assert row["scopes"][:2] == ["instagram_business_basic", "instagram_business_manage_comments"]
    assert "a-real-secret" not in out


def test_accounts_help_teaches_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("connect", "add", "subscribe", "remove"):
        code, out, _ = run(capsys, "accounts", command, "--help")
        assert code == 0 and "Examples:" in out and "--json" in out
