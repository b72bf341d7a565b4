"""`marksix serve`: help that teaches, a clear error for a busy port, and a real start and stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from marksix.cli import cli
from marksix.cli.serve import banner
from marksix.errors import ConfigError


def test_help_has_examples_and_names_the_settings() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for text in ("--sandbox", "--port", "Examples:", "MARKSIX_APP_SECRET", "MARKSIX_VERIFY_TOKEN", "Ctrl-C"):
        assert text in result.output


def test_a_busy_port_is_a_clear_error(marksix_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--sandbox", "--port", str(port)])
    assert result.exit_code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output


def test_banner_lists_every_url() -> None:
    text = banner("0.0.0.0", 8000, True, "/data")
    for path in ("/", "/dashboard", "/healthz", "/metrics", "/webhooks/instagram"):
        assert f"http://localhost:8000{path}" in text
    assert "sandbox" in text and "Ctrl-C" in text


def _children_of(pid: int) -> list[int]:
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            children.append(int(status.parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_starts_the_sandbox_answers_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")}
    environment["MARKSIX_HOME"] = str(tmp_path / "home")
    command = [sys.executable, "-c", "import sys; from marksix.cli import main; sys.exit(main())"]
    process = subprocess.Popen(
        [*command, "serve", "--sandbox", "--port", "0"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
        reader.start()
        health_url = None
        for _ in range(300):
            health_url = next((line.split()[-1] for line in lines if line.strip().startswith("Health")), None)
            if health_url:
                break
            reader.join(0.1)
        assert health_url, f"no banner: {lines}"
        assert "sandbox" in lines[0]
        report = None
        for _ in range(300):
            try:
                report = httpx.get(health_url, timeout=2).json()
                break
            except httpx.HTTPError:
                reader.join(0.1)
        assert report is not None and report["mode"] == "sandbox"
        assert report["accounts"][0]["username"] == "marksix.sandbox"
        children = _children_of(process.pid) if Path("/proc/self/status").is_file() else []
        process.send_signal(stop_signal)
        assert process.wait(30) == 0
        reader.join(5)
        assert lines[-1].strip() == "Stopped."
        # The worker child stops with the server, not after it.
        for _ in range(300):
            if not any(_alive(child) for child in children):
                break
            reader.join(0.1)
        assert not any(_alive(child) for child in children)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def test_real_mode_without_an_encryption_key_is_one_clear_error(
    marksix_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKSIX_IG_ACCESS_TOKEN", "IGAA-not-a-real-token")
    monkeypatch.setenv("MARKSIX_IG_USER_ID", "17841400000000009")
    monkeypatch.delenv("MARKSIX_ENCRYPTION_KEY", raising=False)
    monkeypatch.chdir(marksix_home.parent)  # no developer's .env
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert isinstance(result.exception, ConfigError)
    assert "MARKSIX_ENCRYPTION_KEY" in str(result.exception)
    assert "IGAA-not-a-real-token" not in result.output + str(result.exception)


def test_real_mode_on_sandbox_secrets_names_each_setting(
    marksix_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKSIX_IG_ACCESS_TOKEN", "IGAA-not-a-real-token")
    monkeypatch.setenv("MARKSIX_IG_USER_ID", "17841400000000009")
    monkeypatch.setenv("MARKSIX_ENCRYPTION_KEY", "x" * 44)
    monkeypatch.setenv("MARKSIX_APP_SECRET", "sandbox-app-secret")
    for name in ("MARKSIX_VERIFY_TOKEN", "MARKSIX_REPLY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(marksix_home.parent)
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)
    lines = str(result.exception).splitlines()[1:]
    assert len(lines) == 3
    assert all(
        name in message
        for name, message in zip(
            ["MARKSIX_APP_SECRET", "MARKSIX_VERIFY_TOKEN", "MARKSIX_REPLY_SECRET"], lines, strict=True
        )
    )
    assert "IGAA-not-a-real-token" not in result.output + str(result.exception)


def test_serve_without_sandbox_and_no_credentials_never_becomes_the_sandbox(
    marksix_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No token and the public sandbox secrets: real mode refuses, naming each setting."""
    for name in (
        "MARKSIX_IG_ACCESS_TOKEN",
        "MARKSIX_IG_USER_ID",
        "MARKSIX_APP_SECRET",
        "MARKSIX_VERIFY_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in ("MARKSIX_REPLY_SECRET", "MARKSIX_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(marksix_home.parent)
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert isinstance(result.exception, ConfigError)
    message = str(result.exception)
    for name in (
        "MARKSIX_APP_SECRET",
        "MARKSIX_VERIFY_TOKEN",
        "MARKSIX_REPLY_SECRET",
        "MARKSIX_ENCRYPTION_KEY",
    ):
        assert name in message
    assert "sandbox:" not in result.output  # the sandbox banner never printed


def test_real_mode_with_no_account_serves_the_webhook_and_dashboard_and_says_to_connect(
    marksix_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from cryptography.fernet import Fernet
    from fastapi.testclient import TestClient

    from marksix.config import load_settings
    from marksix.web.app import create_app
    from marksix.web.runtime import ServeOptions

    settings = load_settings(
        home=marksix_home,
        app_secret="a-secret-of-our-own",
        verify_token="a-verify-token-of-our-own",
        reply_secret="a-reply-secret-of-our-own",
        encryption_key=Fernet.generate_key().decode(),
        admin_password="correct horse battery staple",
        _env_file=None,
    )
    app = create_app(settings, options=ServeOptions(sandbox=False, worker_threads=0))
    with TestClient(app) as client:
        assert app.state.runtime.simulator is None
        assert client.get("/healthz").json()["mode"] != "sandbox"
        assert client.get("/simulated-graph/v23.0/me").status_code == 404
        assert client.get("/sandbox/api/account").status_code == 404
        handshake = client.get(
            "/webhooks/instagram",
            params={
                "hub.mode": "subscribe",
                "hub.challenge": "42",
                "hub.verify_token": "a-verify-token-of-our-own",
            },
        )
        assert handshake.status_code == 200 and handshake.text == "42"
        page = client.get("/dashboard/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/dashboard/login", data={"password": "correct horse battery staple", "csrf_token": token}
        )
        overview = client.get("/dashboard/")
        assert 'id="no-account"' in overview.text and "/dashboard/accounts/connect" in overview.text
        # Connecting names what Business Login still needs, instead of failing later.
        started = client.get("/dashboard/accounts/connect", follow_redirects=False)
        assert started.status_code == 400
        assert "MARKSIX_INSTAGRAM_APP_ID" in started.text and "MARKSIX_PUBLIC_URL" in started.text
