"""Shared machinery of the dashboard routes: state, sessions, rendering, guards.

The runtime (database, queue, simulator) is only known once the app's
lifespan has run, so the dashboard's state is built on the first request
from `app.state.runtime` and kept on `app.state.marksix_dashboard`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from marksix.domain.colours import colour_of
from marksix.web import i18n
from marksix.web.auth import (
    CSRF_HEADER,
    AdminPassword,
    LoginThrottle,
    Session,
    SessionCodec,
    SessionRevocations,
    csrf_matches,
    session_secret,
)
from marksix.web.dashboard.data import DashboardData
from marksix.web.dashboard.picker import picker
from marksix.web.guards import SECURITY_HEADERS

if TYPE_CHECKING:
    from marksix.web.dashboard.interface import DashboardRuntime

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
PREFIX = "/dashboard"
API_PREFIX = f"{PREFIX}/api"

templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals["colour"] = colour_of


class LoginRequired(Exception):
    """Raised by the guard; the handler answers 401 for APIs, a redirect for pages."""


@dataclass
class DashboardState:
    data: DashboardData
    password: AdminPassword
    sessions: SessionCodec
    throttle: LoginThrottle
    home: Path
    card_cache: Any = None  # the rendered card for the current next draw
    last_published: tuple[tuple[str, ...], str, dt.datetime] | None = None  # (card+account, media id, when)


_build_lock = threading.Lock()


def _home_of(runtime: DashboardRuntime | None) -> Path:
    home = runtime.home if runtime is not None else None
    if home is not None:
        return Path(home)
    # A runtime without a home (a bare test app): keep secrets out of the working tree.
    return Path(tempfile.mkdtemp(prefix="marksix-dashboard-"))


def dashboard_state(request: Request) -> DashboardState:
    app_state = request.app.state
    existing: DashboardState | None = getattr(app_state, "marksix_dashboard", None)
    if existing is not None:
        return existing
    with _build_lock:
        if isinstance(getattr(app_state, "marksix_dashboard", None), DashboardState):
            built: DashboardState = app_state.marksix_dashboard
            return built
        runtime: DashboardRuntime | None = getattr(app_state, "runtime", None)
        settings = runtime.settings if runtime is not None else None
        home = _home_of(runtime)
        admin_password = settings.admin_password if settings is not None else None
        secret = settings.session_secret if settings is not None else None

        state = DashboardState(
            data=DashboardData(runtime),
            # Tests may hand in a cheaper hasher; production uses argon2's defaults.
            password=AdminPassword(
                home,
                admin_password.get_secret_value() if admin_password is not None else None,
                getattr(app_state, "marksix_password_hasher", None),
            ),
            sessions=SessionCodec(
                session_secret(home, secret.get_secret_value() if secret is not None else None),
                revocations=SessionRevocations(home),
            ),
            throttle=getattr(app_state, "marksix_login_throttle", None) or LoginThrottle(),
            home=home,
        )
        app_state.marksix_dashboard = state
        return state


def read_session(request: Request) -> Session:
    """The request's session; a new one is remembered so `finish` sets its cookie."""
    cached: Session | None = getattr(request.state, "marksix_session", None)
    if cached is not None:
        return cached
    session, is_new = dashboard_state(request).sessions.read(request)
    request.state.marksix_session = session
    request.state.marksix_session_dirty = is_new
    return session


def replace_session(request: Request, session: Session) -> None:
    request.state.marksix_session = session
    request.state.marksix_session_dirty = True


def finish(request: Request, response: Response) -> Response:
    """Attach the session cookie when it changed, and the language cookie when chosen."""
    if getattr(request.state, "marksix_session_dirty", False):
        dashboard_state(request).sessions.write(response, request.state.marksix_session, request)
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        response.set_cookie(i18n.LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True)
    response.headers.setdefault("Cache-Control", "no-store")
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def require_login(request: Request) -> Session:
    """Dependency of every dashboard page and API except the login pages."""
    session = read_session(request)
    if not session.authenticated:
        raise LoginRequired()
    return session


#: A route parameter that demands a logged-in session.
LoggedIn = Annotated[Session, Depends(require_login)]


def require_csrf(request: Request, session: Session, submitted: str | None) -> None:
    if not csrf_matches(session, submitted):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong; reload the page")


def require_csrf_header(request: Request, session: Session) -> None:
    require_csrf(request, session, request.headers.get(CSRF_HEADER))


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    title_key: str | None = None,
) -> Response:
    language = i18n.language_of(request)
    t = i18n.translator(language)
    session = read_session(request)
    state = dashboard_state(request)
    values = {
        "lang": language,
        "t": t,
        "csrf_token": session.csrf_token,
        "authenticated": session.authenticated,
        "sandbox": state.data.sandbox,
        # The account picker (and the "connect one" banner when there is none).
        "picker": picker(request, state.data) if session.authenticated else None,
        "page_title": t(title_key) if title_key else "",
        "message": None,
        "message_kind": None,
        **context,
    }
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    return finish(request, response)


def redirect(request: Request, url: str) -> Response:
    return finish(request, RedirectResponse(url, status_code=303))


def login_required_response(request: Request) -> Response:
    if request.url.path.startswith(API_PREFIX):
        return JSONResponse({"detail": "login required"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/login?next={_quote(target)}", status_code=303)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect to another site."""
    if (
        target
        and (target == PREFIX or target.startswith((f"{PREFIX}/", f"{PREFIX}?")))
        and "\\" not in target
        and "//" not in target
        and target.isprintable()
    ):
        return target
    return f"{PREFIX}/"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
