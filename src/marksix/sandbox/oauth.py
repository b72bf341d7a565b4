"""The simulated Business Login: a consent page, authorization codes and the code exchange.

    GET  <prefix>/oauth/authorize?client_id&redirect_uri&response_type=code&scope&state
         the consent page for the simulated account
    POST <prefix>/oauth/authorize (same query)  allow=1 -> 302 redirect_uri?code=…&state=…#_
                                                otherwise -> redirect_uri?error=access_denied…
    POST <prefix>/oauth/access_token  client_id, client_secret, grant_type=authorization_code,
         redirect_uri, code -> {"data": [{"access_token", "user_id", "permissions"}]}

The long-lived exchange (`GET /access_token?grant_type=ig_exchange_token`) is
the Graph routes' (graph_routes.GraphApi.exchange_token), as on Meta's hosts.

Every rule cites its page (docs/instagram-conformance.md lists them with tests):
- Business Login, Step 1: `client_id`, `redirect_uri`, `response_type=code`
  and `scope` are required, `instagram_business_basic` among the scopes; the
  redirect carries `code` and `state`, with `#_` appended.
  https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
  https://developers.facebook.com/docs/instagram-platform/reference/oauth-authorize
- A cancelled consent redirects with `error=access_denied`, `error_reason=user_denied`.
- Step 2: the code "is valid for 1 hour and can only be used once"; the exchange
  needs the app's secret and "the redirect URI you used when constructing the
  Authorization Window URL. This must be the same URI or we will reject the request."
  https://developers.facebook.com/docs/instagram-platform/reference/oauth-access-token
- The short-lived token lives an hour and carries exactly the scopes granted.

`OAuthBook` is a plain dataclass of plain values (see `to_json`/`from_json`)
so the simulator's persistence can keep it with the rest of its state.
"""

from __future__ import annotations

import hmac
import html
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from marksix.sandbox.conformance import ALL_SCOPES, BASIC
from marksix.sandbox.state import SimulatorState

#: The simulated Instagram app's ID (what the App Dashboard shows as "Instagram App ID").
SANDBOX_APP_ID = "990602627938098"
CODE_LIFETIME_SECONDS = 3600.0
#: Where the simulated www.instagram.com / api.instagram.com live inside the simulator.
DEFAULT_OAUTH_PREFIX = "/simulated-instagram"


@dataclass
class AuthorizationCode:
    value: str
    account_id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    issued_at: float
    used: bool = False


@dataclass
class OAuthBook:
    """The simulated app's Business Login settings and the codes it has handed out."""

    app_id: str = SANDBOX_APP_ID
    #: "Valid OAuth Redirect URIs" from the App Dashboard; empty accepts any http(s) URI.
    redirect_uris: list[str] = field(default_factory=list)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OAuthBook:
        codes = {key: AuthorizationCode(**value) for key, value in dict(data.get("codes") or {}).items()}
        return cls(str(data.get("app_id", SANDBOX_APP_ID)), list(data.get("redirect_uris") or []), codes)

    def allow_redirect(self, uri: str) -> None:
        if uri not in self.redirect_uris:
            self.redirect_uris.append(uri)


class OAuthRefusal(Exception):
    """An OAuth error: an error page for the authorize window, a JSON body for the exchange."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def body(self) -> dict[str, Any]:
        # api.instagram.com answers OAuth failures with the fields at the top level.
        return {"error_type": "OAuthException", "code": self.status, "error_message": self.message}


class OAuthApi:
    def __init__(self, state: SimulatorState, book: OAuthBook, *, app_secret: str | None) -> None:
        self.state = state
        self.book = book
        self.app_secret = app_secret

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/oauth/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/oauth/access_token", self.access_token, methods=["POST"]),
        ]

    # --- Step 1: the authorization window -----------------------------------------
    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        try:
            redirect_uri, scopes = self._check_request(params)
        except OAuthRefusal as refusal:
            return HTMLResponse(_page("Error", f"<p class=error>{html.escape(refusal.message)}</p>"), 400)
        if request.method == "GET":
            names = [account.username for account in self.state.accounts.values()]
            return HTMLResponse(_consent_page(str(request.url), names, scopes))
        async with request.form() as form:
            allowed = form.get("allow") == "1"
            chosen = form.get("username")
        # Who logs in to the window: the simulated account named in the form, else the first.
        account = self.state.account
        if isinstance(chosen, str) and chosen:
            found = self.state.users.get(chosen.lower().lstrip("@"))
            if found is None or found not in self.state.accounts:
                return HTMLResponse(_page("Error", "<p class=error>No such Instagram account</p>"), 400)
            account = self.state.accounts[found]
        state = params.get("state")
        if not allowed:
            denied = {
                "error": "access_denied",
                "error_reason": "user_denied",
                "error_description": "The user denied your request.",
            }
            return RedirectResponse(_with_query(redirect_uri, denied, state), status_code=302)
        code = AuthorizationCode(
            value="AQ" + secrets.token_urlsafe(36),
            account_id=account.id,
            client_id=self.book.app_id,
            redirect_uri=redirect_uri,
            scopes=list(scopes),
            issued_at=self.state.now(),
        )
        self.book.codes[code.value] = code
        return RedirectResponse(
            _with_query(redirect_uri, {"code": code.value}, state) + "#_", status_code=302
        )

    def _check_request(self, params: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        if params.get("client_id") != self.book.app_id:
            raise OAuthRefusal("Invalid platform app: client_id is not this app's Instagram App ID")
        redirect_uri = params.get("redirect_uri") or ""
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise OAuthRefusal("redirect_uri is required and must be an absolute URL")
        if self.book.redirect_uris and redirect_uri not in self.book.redirect_uris:
            raise OAuthRefusal(
                "Invalid redirect_uri: it must exactly match one of the app's Valid OAuth Redirect URIs"
            )
        if params.get("response_type") != "code":
            raise OAuthRefusal("response_type must be code")
        raw = (params.get("scope") or "").replace(" ", ",")
        scopes = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
        unknown = [name for name in scopes if name not in ALL_SCOPES]
        if unknown:
            raise OAuthRefusal(f"Invalid scope: {', '.join(unknown)}")
        if BASIC not in scopes:
            raise OAuthRefusal(f"scope must include {BASIC}")
        return redirect_uri, scopes

    # --- Step 2: the code for a short-lived token ----------------------------------
    async def access_token(self, request: Request) -> Response:
        async with request.form() as form:
            params = {key: value for key, value in form.items() if isinstance(value, str)}
        try:
            return JSONResponse(self._exchange(params))
        except OAuthRefusal as refusal:
            return JSONResponse(refusal.body(), status_code=refusal.status)

    def _exchange(self, params: dict[str, str]) -> dict[str, Any]:
        for name in ("client_id", "client_secret", "grant_type", "redirect_uri", "code"):
            if not params.get(name):
                raise OAuthRefusal(f"Missing required field {name}")
        if params["grant_type"] != "authorization_code":
            raise OAuthRefusal("Invalid grant_type: expected authorization_code")
        if params["client_id"] != self.book.app_id:
            raise OAuthRefusal("Invalid client_id")
        if self.app_secret is not None and not hmac.compare_digest(
            params["client_secret"].encode(), self.app_secret.encode()
        ):
            raise OAuthRefusal("Invalid client_secret")
        code = self.book.codes.get(params["code"].removesuffix("#_"))
        if code is None or code.client_id != params["client_id"]:
            raise OAuthRefusal("Invalid authorization code")
        if code.used:
            raise OAuthRefusal("This authorization code has been used")
        if self.state.now() - code.issued_at > CODE_LIFETIME_SECONDS:
            raise OAuthRefusal("This authorization code has expired")
        if params["redirect_uri"] != code.redirect_uri:
            raise OAuthRefusal(
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request"
            )
        code.used = True
        account = self.state.accounts.get(code.account_id)
        if account is None:
            raise OAuthRefusal("The user who granted this code no longer exists")
        token = self.state.issue_token(account, scopes=frozenset(code.scopes), long_lived=False)
        return {
            "data": [
                {"access_token": token.value, "user_id": account.id, "permissions": ",".join(code.scopes)}
            ]
        }


def _with_query(uri: str, values: dict[str, str], state: str | None) -> str:
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query), *values.items(), *([("state", state)] if state is not None else [])]
    return parts._replace(query=urlencode(query), fragment="").geturl()


def _consent_page(action: str, usernames: list[str], scopes: tuple[str, ...]) -> str:
    items = "".join(f"<li><code>{html.escape(scope)}</code></li>" for scope in scopes)
    who = "".join(
        f'<label><input type="radio" name="username" value="{html.escape(name)}"'
        f"{' checked' if index == 0 else ''}> @{html.escape(name)}</label> "
        for index, name in enumerate(usernames)
    )
    body = (
        f"<p>The app asks to use your simulated Instagram account (@{html.escape(usernames[0])}) with:</p>"
        f"<ul>{items}</ul>"
        f'<form method="post" action="{html.escape(action)}">'
        f"<p>Log in as: {who}</p>"
        '<button type="submit" name="allow" value="1">Allow</button> '
        '<button type="submit" name="allow" value="0">Cancel</button>'
        "</form>"
    )
    return _page("Allow access to your Instagram account?", body)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} · Simulated Instagram</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
