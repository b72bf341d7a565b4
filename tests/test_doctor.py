"""The doctor's checks on their own: real mode's demands, the token warning, the LLM probe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx

from marksix.config import load_settings
from marksix.doctor import DoctorContext, all_ok, format_checks, run_checks
from marksix.errors import NetworkError
from marksix.store.accounts import Account

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def context(tmp_path: Path, handler: object, **settings: object) -> DoctorContext:
    values = {"home": tmp_path, "_env_file": None, **settings}
    return DoctorContext(
        settings=load_settings(**values),
        url=None,
        http=httpx.Client(transport=httpx.MockTransport(handler)),  # type: ignore[arg-type]
        engine=None,
        accounts=None,
        graph_for=lambda account: None,
        queue_depth=lambda: 0,
        now=NOW,
    )


def real_server(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/healthz":
        return httpx.Response(200, json={"mode": "instagram"})
    if request.url.path == "/webhooks/instagram":
        return httpx.Response(200, text=request.url.params["hub.challenge"])
    return httpx.Response(404)


def by_name(checks: list) -> dict:  # type: ignore[type-arg]
    return {check.check: check for check in checks}


def test_real_mode_needs_https_and_secrets_of_its_own(tmp_path: Path) -> None:
    checks = by_name(run_checks(context(tmp_path, real_server, public_url="http://bot.example")))
    assert checks["public URL is HTTPS"].ok is False and "TLS" in (checks["public URL is HTTPS"].fix or "")
    assert checks["webhook handshake reaches this server"].ok is True
    assert checks["app secret is set"].ok is False and "sandbox" in checks["app secret is set"].detail
    assert checks["verify token is set"].ok is False
    assert checks["database"].ok is False


def test_https_and_own_secrets_pass(tmp_path: Path) -> None:
    checks = by_name(
        run_checks(
            context(
                tmp_path,
                real_server,
                public_url="https://bot.example",
                app_secret="s" * 32,
                verify_token="v" * 32,
            )
        )
    )
    assert all(
        checks[name].ok for name in ("public URL is HTTPS", "app secret is set", "verify token is set")
    )


def test_an_archive_behind_the_calendar_is_a_fix_except_on_the_sandbox(tmp_path: Path) -> None:
    archive = {"latest_draw_date": "2026-08-22", "draws_behind": 3, "behind_since": "2026-11-26T13:30:00"}

    def server(mode: str, behind: dict[str, object]) -> object:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/healthz":
                return httpx.Response(200, json={"mode": mode, "archive": behind})
            return real_server(request)

        return handle

    name = "draw results are up to date"
    stale = by_name(
        run_checks(context(tmp_path, server("instagram", archive), public_url="https://b.example"))
    )
    assert stale[name].ok is False
    assert "3 draw(s) behind" in stale[name].detail and "2026-08-22" in stale[name].detail
    assert "marksix draws update" in (stale[name].fix or "")
    fresh = {**archive, "draws_behind": 0, "behind_since": None}
    current = by_name(
        run_checks(context(tmp_path, server("instagram", fresh), public_url="https://b.example"))
    )
    assert current[name].ok is True
    sandbox = by_name(
        run_checks(context(tmp_path, server("sandbox", archive), public_url="http://127.0.0.1:1"))
    )
    assert sandbox[name].ok is True and "does not apply" in sandbox[name].detail


def test_a_handshake_with_the_wrong_verify_token_names_it(tmp_path: Path) -> None:
    def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="verify token does not match")

    check = by_name(run_checks(context(tmp_path, refusing, public_url="https://bot.example")))[
        "webhook handshake reaches this server"
    ]
    assert check.ok is False and "MARKSIX_VERIFY_TOKEN" in (check.fix or "")


def test_the_token_warning_starts_ten_days_before_expiry() -> None:
    from marksix.doctor import _token

    def account(days: float) -> Account:
        return Account("1", "shop", "active", token_expires_at=NOW + dt.timedelta(days=days), has_token=True)

    assert _token(account(10.5), NOW, "reconnect").ok is True
    warned = _token(account(9.5), NOW, "reconnect")
    assert warned.ok is False and "in 9 days" in warned.detail and "reconnect" in (warned.fix or "")
    assert _token(account(-1), NOW, "reconnect").ok is False


def test_an_llm_that_does_not_answer_is_a_fix(tmp_path: Path) -> None:
    doctor = context(tmp_path, real_server, llm_base_url="http://llm.example/v1", llm_model="m")

    def silent() -> None:
        raise NetworkError("could not reach the LLM endpoint")

    doctor.llm_check = silent
    checks = run_checks(doctor)
    llm = by_name(checks)["LLM endpoint answers"]
    assert llm.ok is False and "MARKSIX_LLM_BASE_URL" in (llm.fix or "")
    assert not all_ok(checks) and "need a fix" in format_checks(checks)


def test_a_url_that_is_no_web_address_is_named(tmp_path: Path) -> None:
    doctor = context(tmp_path, real_server)
    doctor.url = "bot.example"
    checks = by_name(run_checks(doctor))
    assert checks["public URL is HTTPS"].detail == "'bot.example' is not a web address"
    assert checks["webhook handshake reaches this server"].ok is False


def test_the_handshake_path_is_the_webhook_route() -> None:
    from marksix import doctor
    from marksix.web import webhook_routes

    assert doctor.WEBHOOK_PATH == webhook_routes.WEBHOOK_PATH
