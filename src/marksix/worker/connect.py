"""Connect an Instagram account: from a Business Login code, or from a token made by hand.

Both paths end the same way (`finish`): the long-lived token is stored
encrypted with its expiry and granted scopes, the account's `user_id` and
`username` come from `GET /me`, and the account is subscribed to its webhook
fields (worker.subscriptions), read back. What failed is said in one line,
step by step, so the dashboard and the CLI can show it as it is.

    connected = connect_with_code(oauth, repo, graph_for_token, code, redirect_uri, now=now)
    connected = connect_with_token(oauth, repo, graph_for_token, token, now=now)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog
from pydantic import SecretStr

from marksix.config import Settings
from marksix.errors import ApiError, ConfigError, MarksixError
from marksix.instagram.oauth import OAuthClient, authorize_url, redirect_uri_for, scopes_for
from marksix.store.accounts import Account, AccountRepository
from marksix.worker.subscriptions import SCOPES_KEY, Connection, record, subscribe

log = structlog.get_logger("marksix.worker.connect")


class ConnectGraph(Protocol):
    def me(self, fields: str = "user_id,username") -> dict[str, Any]: ...
    def subscribe(self, ig_user_id: str, fields: tuple[str, ...] = ...) -> bool: ...
    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


#: A Graph client for a plain token (the account is not stored yet when it is needed).
GraphForToken = Callable[[str], ConnectGraph]


@dataclass(frozen=True)
class ConnectConfig:
    """Where Business Login and Graph are, for which app, and what to ask for.

    Real mode reads it from Settings (`from_settings`); the sandbox points it at
    its simulator (web.runtime.sandbox_connect_config), so both run the same flow.
    """

    app_id: str
    app_secret: SecretStr
    authorize_url: str
    token_url: str
    #: Graph's root without a version (graph.instagram.com): /access_token, /vXX.X/me.
    graph_root: str
    api_version: str
    redirect_uri: str
    scopes: tuple[str, ...]
    transport: Any = None
    #: Stored with each account connected this way (the sandbox's graph_base_url).
    extra_settings: Mapping[str, Any] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, public_url: str | None = None) -> ConnectConfig:
        """Real mode; ConfigError names each missing setting."""
        public = public_url or settings.public_url
        secret = settings.oauth_client_secret
        missing = [
            name
            for name, value in (
                ("MARKSIX_INSTAGRAM_APP_ID", settings.instagram_app_id),
                ("MARKSIX_INSTAGRAM_APP_SECRET", secret.get_secret_value() if secret else None),
                ("MARKSIX_PUBLIC_URL", public),
            )
            if not (value or "").strip()
        ]
        if missing:
            raise ConfigError(
                "connecting an account with Business Login needs "
                + ", ".join(missing)
                + " (Instagram > API setup with Instagram login in the App Dashboard)"
            )
        if public is None or secret is None or settings.instagram_app_id is None:  # for mypy: checked
            raise ConfigError("Business Login settings are incomplete")
        if not public.startswith("https://"):
            raise ConfigError(
                f"MARKSIX_PUBLIC_URL must be an https:// address for Business Login (it is {public!r})"
            )
        host = settings.graph_host
        return cls(
            app_id=settings.instagram_app_id.strip(),
            app_secret=secret,
            authorize_url=settings.instagram_authorize_url,
            token_url=settings.instagram_token_url,
            graph_root=host if "://" in host else f"https://{host}",
            api_version=settings.graph_api_version,
            redirect_uri=redirect_uri_for(public),
            scopes=scopes_for(
                publish=settings.publish_enabled, private_replies=settings.private_replies_enabled
            ),
        )

    @classmethod
    def for_tokens(cls, settings: Settings) -> ConnectConfig:
        """For a token made by hand (`accounts add --token`): only the app secret is needed."""
        secret = settings.oauth_client_secret
        if secret is None or not secret.get_secret_value().strip():
            raise ConfigError(
                "exchanging a token needs the Instagram app secret (MARKSIX_INSTAGRAM_APP_SECRET)"
            )
        host = settings.graph_host
        return cls(
            app_id=(settings.instagram_app_id or "").strip() or "-",
            app_secret=secret,
            authorize_url=settings.instagram_authorize_url,
            token_url=settings.instagram_token_url,
            graph_root=host if "://" in host else f"https://{host}",
            api_version=settings.graph_api_version,
            redirect_uri=redirect_uri_for(settings.public_url or "https://localhost"),
            scopes=scopes_for(
                publish=settings.publish_enabled, private_replies=settings.private_replies_enabled
            ),
        )

    def authorize(self, state: str) -> str:
        return authorize_url(
            self.authorize_url,
            app_id=self.app_id,
            redirect_uri=self.redirect_uri,
            scopes=self.scopes,
            state=state,
        )

    def oauth_client(self) -> OAuthClient:
        return OAuthClient(
            app_id=self.app_id,
            app_secret=self.app_secret,
            token_url=self.token_url,
            graph_root=self.graph_root,
            transport=self.transport,
        )

    def graph_for_token(self, token: str) -> ConnectGraph:
        from marksix.instagram.graph import GraphClient

        return GraphClient(
            token, base_url=self.graph_root, api_version=self.api_version, transport=self.transport
        )


class ConnectFailed(MarksixError):
    """One step of connecting failed; the message names the step and Meta's answer."""

    def __init__(self, step: str, problem: BaseException | str) -> None:
        detail = f"{type(problem).__name__}: {problem}" if isinstance(problem, BaseException) else problem
        super().__init__(f"{step} failed: {detail}")
        self.step = step


@dataclass(frozen=True)
class Connected:
    account: Account
    scopes: tuple[str, ...]
    expires_at: datetime | None
    subscription: Connection

    @property
    def ok(self) -> bool:
        return self.subscription.ok

    @property
    def problem(self) -> str | None:
        return None if self.ok else f"subscribing to webhooks failed: {self.subscription.problem}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.account.id,
            "username": self.account.username,
            "status": self.account.status,
            "scopes": list(self.scopes),
            "token_expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "subscribed_fields": list(self.subscription.fields),
            "ok": self.ok,
            "problem": self.problem,
        }


def connect_with_code(
    oauth: OAuthClient,
    accounts: AccountRepository,
    graph_for_token: GraphForToken,
    code: str,
    redirect_uri: str,
    *,
    now: datetime,
    extra_settings: Mapping[str, Any] | None = None,
) -> Connected:
    """Business Login steps 2 and 3, then `finish`."""
    try:
        short = oauth.exchange_code(code, redirect_uri)
    except (ApiError, ConfigError) as error:
        raise ConnectFailed("exchanging the authorization code", error) from None
    try:
        long = oauth.long_lived(short.access_token)
    except (ApiError, ConfigError) as error:
        raise ConnectFailed("exchanging for a long-lived token (ig_exchange_token)", error) from None
    return finish(
        accounts,
        graph_for_token,
        long.access_token,
        long.expires_in,
        short.permissions,
        now=now,
        extra_settings=extra_settings,
    )


def connect_with_token(
    oauth: OAuthClient,
    accounts: AccountRepository,
    graph_for_token: GraphForToken,
    token: SecretStr,
    *,
    now: datetime,
    scopes: tuple[str, ...] = (),
    extra_settings: Mapping[str, Any] | None = None,
) -> Connected:
    """A token from the App Dashboard: exchanged for a long-lived one, whose expiry is recorded.

    Instagram Login has no debug endpoint for a token's permissions (`debug_token` is a
    Facebook Login call), so the scopes are those given, else unknown (empty).
    """
    if not token.get_secret_value().strip():
        raise ConnectFailed("reading the token", "the token is empty")
    try:
        long = oauth.long_lived(token)
    except (ApiError, ConfigError) as error:
        raise ConnectFailed("exchanging for a long-lived token (ig_exchange_token)", error) from None
    return finish(
        accounts,
        graph_for_token,
        long.access_token,
        long.expires_in,
        scopes,
        now=now,
        extra_settings=extra_settings,
    )


def finish(
    accounts: AccountRepository,
    graph_for_token: GraphForToken,
    token: SecretStr,
    expires_in: int | None,
    scopes: tuple[str, ...],
    *,
    now: datetime,
    extra_settings: Mapping[str, Any] | None = None,
    keep_token: bool = False,
) -> Connected:
    """Read who the token is, store it encrypted with expiry and scopes, subscribe, record.

    `keep_token`: the token is the one already stored; only its facts are recorded, so a
    block on the account stays (a new token would lift it).
    """
    plain = token.get_secret_value()
    graph = graph_for_token(plain)
    try:
        try:
            me = graph.me("user_id,username")
        except (ApiError, ConfigError) as error:
            raise ConnectFailed("reading the account (GET /me)", error) from None
        user_id, username = me.get("user_id"), me.get("username")
        if user_id in (None, "") or not isinstance(username, str) or not username:
            raise ConnectFailed("reading the account (GET /me)", "the answer had no user_id and username")
        account_id = str(user_id)
        expires_at = now + timedelta(seconds=expires_in) if expires_in else None
        existing = accounts.find(account_id)
        settings = dict(existing.settings) if existing is not None else {}
        settings.update(extra_settings or {})
        settings[SCOPES_KEY] = list(scopes)
        accounts.save(
            account_id,
            username,
            now=now,
            token=None if keep_token else token,
            settings=settings,
            token_expires_at=expires_at,
        )
        if keep_token:
            accounts.set_token_expiry(account_id, expires_at, now=now)
        connection = subscribe(graph, account_id)
    finally:
        graph.close()
    record(accounts, connection, now=now)
    account = accounts.get(account_id)
    log.info(
        "account_connected",
        account_id=account_id,
        username=username,
        scopes=list(scopes),
        subscribed=connection.fields,
        problem=connection.problem,
    )
    return Connected(account, tuple(scopes), expires_at, connection)
