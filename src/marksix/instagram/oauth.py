"""Business Login for Instagram (OAuth 2): the authorize URL and the two token exchanges.

1. The admin is sent to the authorize URL (www.instagram.com/oauth/authorize)
   with `client_id`, `redirect_uri`, `response_type=code`, `scope` (comma-
   separated) and `state`; Instagram redirects back with `code` and `state`.
2. `POST api.instagram.com/oauth/access_token` (form: client_id, client_secret,
   grant_type=authorization_code, redirect_uri, code) gives a short-lived
   token (an hour), the account's `user_id` and the granted `permissions`.
   The code is valid for an hour, once, and only with the same redirect_uri.
3. `GET graph.instagram.com/access_token?grant_type=ig_exchange_token` with
   the client secret turns it into a 60-day token (`expires_in`).

https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
https://developers.facebook.com/docs/instagram-platform/reference/oauth-authorize
https://developers.facebook.com/docs/instagram-platform/reference/oauth-access-token
https://developers.facebook.com/documentation/instagram-platform/reference/access_token

Secrets (client secret, codes, tokens) are blanked out of every error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from marksix.errors import ApiError, ConfigError, NetworkError, PermanentApiError
from marksix.instagram.errors import classify, redact

BASIC = "instagram_business_basic"
COMMENTS = "instagram_business_manage_comments"
PUBLISH = "instagram_business_content_publish"
MESSAGES = "instagram_business_manage_messages"
#: The path of the callback, under the server's public URL.
CALLBACK_PATH = "/dashboard/accounts/callback"


def scopes_for(*, publish: bool, private_replies: bool) -> tuple[str, ...]:
    """The permissions the enabled features need: basic and comments always."""
    scopes = [BASIC, COMMENTS]
    if publish:
        scopes.append(PUBLISH)
    if private_replies:
        scopes.append(MESSAGES)
    return tuple(scopes)


def authorize_url(base: str, *, app_id: str, redirect_uri: str, scopes: tuple[str, ...], state: str) -> str:
    """Where "Connect an account" sends the admin (the scope list is comma-separated)."""
    query = urlencode(
        {
            "client_id": app_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": ",".join(scopes),
            "state": state,
        }
    )
    return f"{base}?{query}"


def redirect_uri_for(public_url: str) -> str:
    return public_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class ShortLivedToken:
    access_token: SecretStr
    user_id: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class LongLivedToken:
    access_token: SecretStr
    expires_in: int | None


class OAuthClient:
    """The code and token exchanges for one Instagram app; inject `transport` in tests."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: SecretStr,
        token_url: str,
        graph_root: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
    ) -> None:
        if not app_id.strip():
            raise ConfigError(
                "MARKSIX_INSTAGRAM_APP_ID is not set (Instagram > API setup with Instagram login)"
            )
        if not app_secret.get_secret_value().strip():
            raise ConfigError("the Instagram app secret is empty (MARKSIX_INSTAGRAM_APP_SECRET)")
        self.app_id = app_id.strip()
        self._secret = app_secret.get_secret_value().strip()
        self.token_url = token_url
        #: graph.instagram.com without a version: /access_token is unversioned.
        self.graph_root = graph_root.rstrip("/")
        self._http = httpx.Client(
            transport=transport, timeout=timeout, headers={"Accept": "application/json"}
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OAuthClient(app_id={self.app_id!r}, secret=***)"

    def exchange_code(self, code: str, redirect_uri: str) -> ShortLivedToken:
        """Step 2: the authorization code for a short-lived token, the user id and permissions."""
        if not code.strip():
            raise PermanentApiError("the callback carried no authorization code")
        form = {
            "client_id": self.app_id,
            "client_secret": self._secret,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code": code.strip(),
        }
        answer = self._send("POST", self.token_url, data=form, secrets=(code,))
        # Business Login answers {"data": [{...}]}; the older reference page shows the object bare.
        data = answer.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], Mapping) else answer
        token, user_id = entry.get("access_token"), entry.get("user_id")
        if not isinstance(token, str) or not token or user_id in (None, ""):
            raise PermanentApiError("the code exchange answered without an access_token and user_id")
        permissions = entry.get("permissions") or ""
        granted = permissions.split(",") if isinstance(permissions, str) else list(permissions)
        return ShortLivedToken(
            SecretStr(token), str(user_id), tuple(name.strip() for name in granted if str(name).strip())
        )

    def long_lived(self, short_lived: SecretStr) -> LongLivedToken:
        """Step 3: a 60-day token for a short-lived one (server-side only: it carries the secret)."""
        token = short_lived.get_secret_value()
        answer = self._send(
            "GET",
            f"{self.graph_root}/access_token",
            params={"grant_type": "ig_exchange_token", "client_secret": self._secret},
            headers={"Authorization": f"Bearer {token}"},
            secrets=(token,),
        )
        new, lifetime = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(new, str) or not new:
            raise PermanentApiError("the long-lived exchange answered without an access_token")
        expires = (
            int(lifetime) if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) else None
        )
        return LongLivedToken(SecretStr(new), expires)

    def _send(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        hidden = (self._secret, *secrets)
        label = f"{method} {httpx.URL(url).path}"
        try:
            response = self._http.request(method, url, data=data, params=params, headers=headers)
        except httpx.HTTPError as problem:
            raise NetworkError(
                redact(f"{label}: no answer ({type(problem).__name__}: {problem})", *hidden)
            ) from None
        if response.status_code >= 400:
            error: ApiError = classify(
                response.status_code, response.content, response.headers, secrets=hidden
            )
            raise type(error)(
                f"{label}: {error}", code=error.code, subcode=error.subcode, status=error.status
            )
        try:
            result = response.json()
        except ValueError:
            raise PermanentApiError(f"{label}: the answer is not JSON") from None
        if not isinstance(result, dict):
            raise PermanentApiError(f"{label}: the answer is not a JSON object")
        return result
