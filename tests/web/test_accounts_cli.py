"""`marksix accounts` on the sandbox: the account was connected through subscribed_apps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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
