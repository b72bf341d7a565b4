"""Login, first-run password setup and logout."""

from __future__ import annotations

import math

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marksix.errors import InputError
from marksix.web import i18n
from marksix.web.auth import LoginBusy, client_address, csrf_matches
from marksix.web.dashboard.core import (
    PREFIX,
    dashboard_state,
    read_session,
    redirect,
    render,
    replace_session,
    require_csrf,
    safe_next,
)

router = APIRouter(prefix=PREFIX)


def _form(
    request: Request,
    *,
    setup: bool,
    message: str | None = None,
    status_code: int = 200,
    next_url: str | None = None,
) -> Response:
    return render(
        request,
        "dashboard/login.html",
        {
            "setup": setup,
            "action": f"{PREFIX}/setup" if setup else f"{PREFIX}/login",
            "next_url": safe_next(next_url or request.query_params.get("next")),
            "message": message,
            "message_kind": "error" if message else None,
        },
        status_code=status_code,
        title_key="setup.title" if setup else "login.title",
    )


@router.get("/login", name="dashboard_login")
def login_page(request: Request) -> Response:
    state = dashboard_state(request)
    if not state.password.is_set:
        return redirect(request, f"{PREFIX}/setup")
    if read_session(request).authenticated:
        return redirect(request, safe_next(request.query_params.get("next")))
    return _form(request, setup=False)


@router.post("/login", name="dashboard_login_submit")
def login_submit(
    request: Request,
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form(""),
) -> Response:
    state = dashboard_state(request)
    t = i18n.translator(i18n.language_of(request))
    session = read_session(request)
    address = client_address(request)
    if not csrf_matches(session, csrf_token):
        return _form(request, setup=False, message=t("csrf.failed"), status_code=403, next_url=next)
    # Counted before the check, atomically: parallel guesses cannot outrun the throttle.
    wait = state.throttle.attempt(address)
    if wait > 0:
        response = _form(
            request,
            setup=False,
            message=t("login.throttled", seconds=math.ceil(wait)),
            status_code=429,
            next_url=next,
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        right = state.password.verify(password)
    except LoginBusy:
        response = _form(request, setup=False, message=t("login.wrong"), status_code=503, next_url=next)
        response.headers["Retry-After"] = "5"
        return response
    if not right:
        return _form(request, setup=False, message=t("login.wrong"), status_code=401, next_url=next)
    state.throttle.success(address)
    replace_session(request, session.logged_in())
    return redirect(request, safe_next(next))


@router.get("/setup", name="dashboard_setup")
def setup_page(request: Request) -> Response:
    if dashboard_state(request).password.is_set:
        return redirect(request, f"{PREFIX}/login")
    return _form(request, setup=True)


@router.post("/setup", name="dashboard_setup_submit")
def setup_submit(
    request: Request, password: str = Form(""), confirm: str = Form(""), csrf_token: str = Form("")
) -> Response:
    state = dashboard_state(request)
    t = i18n.translator(i18n.language_of(request))
    session = read_session(request)
    if state.password.is_set:
        return redirect(request, f"{PREFIX}/login")
    if not csrf_matches(session, csrf_token):
        return _form(request, setup=True, message=t("csrf.failed"), status_code=403)
    if password != confirm:
        return _form(request, setup=True, message=t("setup.mismatch"), status_code=400)
    try:
        state.password.set_first(password)
    except InputError:
        return _form(request, setup=True, message=t("setup.too_short"), status_code=400)
    replace_session(request, session.logged_in())
    return redirect(request, f"{PREFIX}/")


@router.post("/logout", name="dashboard_logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    session = read_session(request)
    require_csrf(request, session, csrf_token)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    sessions = dashboard_state(request).sessions
    sessions.revoke(session)  # the cookie is refused from now on, wherever it was saved
    sessions.clear(response)
    return response
