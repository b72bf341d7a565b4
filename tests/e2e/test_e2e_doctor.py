"""`marksix doctor` against a running sandbox: it passes, and names the fix when something breaks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import APP_SECRET, VERIFY_TOKEN, InProcessService, wait_until

from cli_runner import run

pytestmark = pytest.mark.slow
ADMIN_PASSWORD = "doctor-admin-password"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessService]:
    home = tmp_path / "home"
    # The CLI reads the same settings as the server (as an operator's shell would).
    for name, value in {
        "MARKSIX_HOME": str(home),
        "MARKSIX_APP_SECRET": APP_SECRET,
        "MARKSIX_VERIFY_TOKEN": VERIFY_TOKEN,
        "MARKSIX_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    running = InProcessService(home).start()
    yield running
    running.stop()


def doctor(service: InProcessService, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    capsys.readouterr()
    code, out, err = run(capsys, "doctor", "--url", service.url, "--json")
    assert "Traceback" not in err
    # The server runs in this process, so its log lines share stdout: take the JSON document.
    document = re.search(r"^\[$.*^\]$", out, re.MULTILINE | re.DOTALL)
    assert document is not None, out
    checks = json.loads(document.group(0))
    assert all(set(check) == {"check", "ok", "detail", "fix"} for check in checks)
    return code, {check["check"]: check for check in checks}


def test_doctor_passes_on_the_sandbox_and_says_what_does_not_apply(
    service: InProcessService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks = doctor(service, capsys)
    assert code == 0, [check for check in checks.values() if not check["ok"]]
    username = service.simulator.state.account.username
    assert {
        "public URL is HTTPS",
        "webhook handshake reaches this server",
        "app secret is set",
        "verify token is set",
        f"@{username}: token",
        f"@{username}: permissions",
        f"@{username}: webhook fields",
        f"@{username}: professional account",
        f"@{username}: webhooks arriving",
        "LLM endpoint answers",
        "database",
        "queue",
    } <= set(checks)
    assert "does not apply on the sandbox" in checks["public URL is HTTPS"]["detail"]
    assert "valid until" in checks[f"@{username}: token"]["detail"]
    assert "comments" in checks[f"@{username}: webhook fields"]["detail"]
    assert checks[f"@{username}: professional account"]["detail"] == "BUSINESS"

    code, out, _ = run(capsys, "doctor", "--url", service.url)
    assert code == 0 and "All checks pass." in out


def test_doctor_fails_with_the_fix_when_the_subscription_is_removed(
    service: InProcessService, capsys: pytest.CaptureFixture[str]
) -> None:
    account = service.simulator.state.account
    service.simulator.state.subscribe(account.id, [])
    code, checks = doctor(service, capsys)
    assert code == 1
    fields = checks[f"@{account.username}: webhook fields"]
    assert fields["ok"] is False and "comments will not arrive" in fields["detail"]
    assert fields["fix"] == f"`marksix accounts subscribe {account.id}`"
    assert all(check["ok"] for name, check in checks.items() if "webhook" not in name)

    code, out, _ = run(capsys, "doctor", "--url", service.url)
    assert code == 1 and f"-> `marksix accounts subscribe {account.id}`" in out


def test_doctor_shows_that_meta_disabled_the_webhooks_after_failed_deliveries(
    service: InProcessService, capsys: pytest.CaptureFixture[str]
) -> None:
    simulator = service.simulator
    account = simulator.state.account
    simulator.webhook_url = f"{service.url}/no-such-endpoint"  # the endpoint breaks (404)
    simulator.post_comment("fan", "俾組號碼我")
    # An hour of failures, compressed by the sandbox's time scale (0.001): under 4 s.
    wait_until(lambda: simulator.delivery_health(account.id)["disabled"], "Meta to disable the webhooks")
    assert simulator.state.account.subscribed_fields == []
    code, checks = doctor(service, capsys)
    assert code == 1
    arriving = checks[f"@{account.username}: webhooks arriving"]
    assert arriving["ok"] is False and "Meta disabled this account's webhooks" in arriving["detail"]
    assert "fix the endpoint" in arriving["fix"] and "marksix accounts subscribe" in arriving["fix"]


def test_the_dashboard_doctor_page_runs_the_same_checks_through_the_server(service: InProcessService) -> None:
    http = service.http
    page = http.get("/dashboard/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    http.post("/dashboard/login", data={"password": ADMIN_PASSWORD, "csrf_token": token.group(1)})
    doctor_page = http.get("/dashboard/doctor?lang=en")
    assert doctor_page.status_code == 200
    rows = re.findall(r'<tr class="(ok|fix)">\s*<td>(.*?)</td>', doctor_page.text)
    assert ("ok", "webhook handshake reaches this server") in rows  # the page's own server answered
    assert rows and all(state == "ok" for state, _ in rows) and "All checks pass." in doctor_page.text
