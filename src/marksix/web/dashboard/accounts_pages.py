"""Connecting accounts from the dashboard (Business Login) and choosing the one to work on.

GET  /dashboard/accounts/connect    start: a `state` bound to this session, then to Instagram
GET  /dashboard/accounts/callback   Instagram's redirect: check the state, exchange the code,
                                    store, subscribe, and say what happened
POST /dashboard/accounts/choose     the account picker (CSRF)

The flow itself is `worker.connect`; this module only checks the request and
shows the outcome: the account active, or exactly which step failed.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marksix.errors import ConfigError, InputError
from marksix.web import i18n
from marksix.web.dashboard.core import (
    PREFIX,
    LoggedIn,
    dashboard_state,
    finish,
    now,
    render,
    require_csrf,
    safe_next,
)
from marksix.web.dashboard.picker import ACCOUNT_COOKIE

router = APIRouter(prefix=PREFIX)


def accounts_page(
    request: Request, message: str | None = None, kind: str = "ok", status_code: int = 200
) -> Response:
    data = dashboard_state(request).data
    return render(
        request,
        "dashboard/accounts.html",
        {"section": "accounts", "accounts": data.accounts(), "message": message, "message_kind": kind},
        status_code=status_code,
        title_key="accounts.title",
    )


@router.get("/accounts/connect", name="dashboard_accounts_connect")
def connect(request: Request, session: LoggedIn) -> Response:
    """Send the admin to Instagram's authorization window with a state bound to this session."""
    runtime = dashboard_state(request).data.runtime
    t = i18n.translator(i18n.language_of(request))
    if runtime is None:
        return accounts_page(request, t("overview.unavailable"), "error", 503)
    try:
        config = runtime.connect_config()
        state = runtime.oauth_states.issue(session.session_id, config.redirect_uri, config.scopes, now=now())
    except ConfigError as problem:
        return accounts_page(request, t("accounts.connect_unavailable", problem=str(problem)), "error", 400)
    return finish(request, RedirectResponse(config.authorize(state), status_code=303))


@router.get("/accounts/callback", name="dashboard_accounts_callback")
def callback(
    request: Request,
    session: LoggedIn,
    *,
    code: str = "",
    state: str = "",
    error: str = "",
    error_reason: str = "",
    error_description: str = "",
) -> Response:
    """Instagram's redirect after consent: `code` and `state`, or `error` when the admin cancelled."""
    from marksix.worker.connect import ConnectFailed, connect_with_code

    runtime = dashboard_state(request).data.runtime
    t = i18n.translator(i18n.language_of(request))
    if runtime is None:
        return accounts_page(request, t("overview.unavailable"), "error", 503)
    moment = now()
    try:
        issued = runtime.oauth_states.consume(state[:200], session.session_id, now=moment)
    except InputError as problem:
        return accounts_page(request, t("accounts.connect_failed", problem=str(problem)), "error", 400)
    if error:
        reason = (error_description or error_reason or error)[:300]
        return accounts_page(request, t("accounts.connect_denied", reason=reason), "error", 400)
    accounts = runtime.accounts
    try:
        config = runtime.connect_config()
        if accounts is None:
            raise ConfigError("the service has no database to store the account in")
        with config.oauth_client() as oauth:
            connected = connect_with_code(
                oauth,
                accounts,
                config.graph_for_token,
                code[:2000],
                issued.redirect_uri,
                now=moment,
                extra_settings=config.extra_settings,
            )
    except (ConfigError, ConnectFailed) as problem:
        return accounts_page(request, t("accounts.connect_failed", problem=str(problem)), "error", 502)
    expires = connected.expires_at.strftime("%Y-%m-%d") if connected.expires_at else "?"
    if not connected.ok:
        message = t(
            "accounts.connected_unsubscribed", username=connected.account.username, problem=connected.problem
        )
        return accounts_page(request, message, "error", 502)
    message = t(
        "accounts.connected",
        username=connected.account.username,
        fields=", ".join(connected.subscription.fields),
        scopes=", ".join(connected.scopes) or "?",
        expires=expires,
    )
    response = accounts_page(request, message)
    response.set_cookie(ACCOUNT_COOKIE, connected.account.id, samesite="lax", httponly=True, path="/")
    return response


@router.post("/accounts/choose", name="dashboard_account_choose")
def choose(
    request: Request,
    session: LoggedIn,
    csrf_token: str = Form(""),
    account_id: str = Form(""),
    next: str = Form(""),
) -> Response:
    """The picker: remember the chosen account (an id that is stored), back to the page."""
    require_csrf(request, session, csrf_token)
    repository = dashboard_state(request).data.accounts_repository
    t = i18n.translator(i18n.language_of(request))
    if repository is None or repository.find(account_id[:64]) is None:
        return accounts_page(request, t("picker.unknown", account=account_id[:64]), "error", 400)
    response = finish(request, RedirectResponse(safe_next(next), status_code=303))
    response.set_cookie(ACCOUNT_COOKIE, account_id, samesite="lax", httponly=True, path="/")
    return response
