"""The sandbox's account, connected through Business Login like a real one, at start.

The simulator plays www.instagram.com, api.instagram.com and
graph.instagram.com; `sandbox_connect_config` points the same `ConnectConfig`
real mode uses at it, and `connect_sandbox_account` drives the flow server-
side before the server listens: the consent page, `allow=1`, the redirect
with `code` and `state`, then `worker.connect.connect_with_code` (short-lived
token, long-lived token, `/me`, encrypted store with expiry and scopes,
`subscribed_apps`). A token the simulator still honours is kept (rewriting it
would lift a block the operator should see); only its subscription is renewed.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import structlog

from marksix.config import Settings
from marksix.errors import ConfigError
from marksix.instagram.oauth import redirect_uri_for, scopes_for
from marksix.worker.connect import ConnectConfig, Connected, ConnectFailed, connect_with_code, finish

if TYPE_CHECKING:
    from marksix.sandbox import Simulator
    from marksix.store.accounts import AccountRepository

log = structlog.get_logger("marksix.web.sandbox_connect")

#: The in-process simulator's host: calls never leave the process.
INTERNAL = "http://sandbox.internal"


def sandbox_connect_config(
    settings: Settings, simulator: Simulator, *, base_url: str, public_url: str | None, graph_prefix: str
) -> ConnectConfig:
    """Business Login against the simulator: the browser sees `base_url`, the server calls in-process."""
    secrets_ = settings.app_secrets
    if not secrets_:
        raise ConfigError("MARKSIX_APP_SECRET is empty; the sandbox's Instagram app uses it as its secret")
    redirect_uri = redirect_uri_for(public_url or base_url)
    simulator.oauth_book.allow_redirect(redirect_uri)  # the App Dashboard's "Valid OAuth Redirect URIs"
    from pydantic import SecretStr

    return ConnectConfig(
        app_id=simulator.oauth_book.app_id,
        app_secret=SecretStr(secrets_[0]),
        authorize_url=base_url.rstrip("/") + simulator.oauth_prefix + "/oauth/authorize",
        token_url=INTERNAL + simulator.oauth_prefix + "/oauth/access_token",
        graph_root=INTERNAL + simulator.graph_prefix,
        api_version=settings.graph_api_version,
        redirect_uri=redirect_uri,
        scopes=scopes_for(publish=settings.publish_enabled, private_replies=settings.private_replies_enabled),
        transport=simulator.in_process_transport(),
        extra_settings={"graph_base_url": base_url.rstrip("/") + graph_prefix},
    )


def connect_sandbox_account(
    accounts: AccountRepository, simulator: Simulator, config: ConnectConfig, *, now: datetime
) -> Connected | None:
    """Connect the simulated account by consenting on its page, unless its stored token still works."""
    account = simulator.state.account
    existing = accounts.find(account.id)
    stored = accounts.token(account.id) if existing is not None and existing.has_token else None
    known = simulator.state.token(stored.get_secret_value()) if stored is not None else None
    if stored is not None and known is not None and not known.expired(simulator.state.now()):
        remaining = int(known.expires_at - simulator.state.now())
        # Re-recorded as Graph knows it, with the subscription renewed, without a new token.
        connected = finish(
            accounts,
            config.graph_for_token,
            stored,
            remaining,
            tuple(sorted(known.scopes)),
            now=now,
            extra_settings=config.extra_settings,
            keep_token=True,
        )
    else:
        code = consent(simulator, config)
        connected = connect_with_code(
            config.oauth_client(),
            accounts,
            config.graph_for_token,
            code,
            config.redirect_uri,
            now=now,
            extra_settings=config.extra_settings,
        )
    if not connected.ok:
        log.warning("sandbox_account_not_subscribed", problem=connected.problem)
    return connected


def consent(simulator: Simulator, config: ConnectConfig) -> str:
    """What a person does in the authorization window: open it, press Allow; the code comes back."""
    state = secrets.token_urlsafe(16)
    url = urlsplit(config.authorize(state))
    with httpx.Client(transport=config.transport, base_url=INTERNAL) as http:
        target = f"{url.path}?{url.query}"
        page = http.get(target)
        if page.status_code != 200 or "allow" not in page.text:
            raise ConnectFailed(
                "opening the simulated consent page", f"HTTP {page.status_code}: {page.text[:200]}"
            )
        answer = http.post(target, data={"allow": "1"})
    location = answer.headers.get("location", "")
    query = parse_qs(urlsplit(location).query)
    if answer.status_code != 302 or query.get("state") != [state] or not query.get("code"):
        raise ConnectFailed(
            "consenting on the simulated page", f"HTTP {answer.status_code} to {location[:200]!r}"
        )
    return str(query["code"][0])
