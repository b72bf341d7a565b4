"""Connecting accounts through Business Login, end to end against the strict simulator.

The whole app runs (create_app in sandbox mode) behind a TestClient: the
dashboard's "Connect an account", the simulated consent page, the callback,
the token exchanges, `/me` and `subscribed_apps` are the real routes, and
the simulator's webhooks come back into the same app.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from ui_support import FAST_HASHER, PASSWORD, csrf_from, log_in

from marksix.config import load_settings
from marksix.sandbox.oauth import CODE_LIFETIME_SECONDS
from marksix.store.comments import CommentKey
from marksix.web.app import create_app
from marksix.web.runtime import Runtime, ServeOptions

BASE = "http://testserver"
ALL_SCOPES = {
    "instagram_business_basic",
    "instagram_business_manage_comments",
    "instagram_business_content_publish",
    "instagram_business_manage_messages",
}


@dataclass
class Sandbox:
    client: TestClient
    runtime: Runtime

    @property
    def simulator(self):  # type: ignore[no-untyped-def]
        assert self.runtime.simulator is not None
        return self.runtime.simulator


@pytest.fixture
def sandbox(ui_home: Path) -> Iterator[Sandbox]:
    settings = load_settings(home=ui_home, admin_password=PASSWORD, _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0, base_url=BASE))
    app.state.marksix_password_hasher = FAST_HASHER
    with TestClient(app, base_url=BASE) as client:
        runtime: Runtime = app.state.runtime

        def deliver(request: httpx.Request) -> httpx.Response:
            # The simulator's webhooks come back into this same app, as on one port.
            answer = client.request(
                request.method, str(request.url), headers=request.headers, content=request.read()
            )
            return httpx.Response(answer.status_code, content=answer.content)

        assert runtime.simulator is not None
        runtime.simulator.sender.transport = httpx.MockTransport(deliver)
        log_in(client)
        yield Sandbox(client, runtime)


def start(sandbox: Sandbox) -> tuple[str, dict[str, list[str]]]:
    """Press "Connect an account": the authorize URL and its query."""
    page = sandbox.client.get("/dashboard/accounts")
    assert 'id="connect-account"' in page.text
    answer = sandbox.client.get("/dashboard/accounts/connect", follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    return location, parse_qs(urlsplit(location).query)


def consent(sandbox: Sandbox, authorize: str, username: str | None = None) -> str:
    """Allow on the consent page; the redirect back (with its #_)."""
    page = sandbox.client.get(authorize)
    assert page.status_code == 200 and "Allow" in page.text
    form = {"allow": "1", **({"username": username} if username else {})}
    answer = sandbox.client.post(authorize, data=form, follow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["location"])


def test_connect_by_business_login_then_comments_arrive(sandbox: Sandbox) -> None:
    simulator = sandbox.simulator
    second = simulator.state.add_account("second.shop", "unused-token")
    media = simulator.state.add_media(second.id, "第二個帳戶嘅帖子")
    # Before connecting, Instagram sends nothing for this account.
    skipped = simulator.unsubscribed_skips
    simulator.post_comment("early.bird", "畀組號碼我", media_id=media.id)
    assert simulator.unsubscribed_skips == skipped + 1

    authorize, query = start(sandbox)
    assert authorize.startswith(f"{BASE}/simulated-instagram/oauth/authorize?")
    assert query["client_id"] == [simulator.oauth_book.app_id]
    assert query["redirect_uri"] == [f"{BASE}/dashboard/accounts/callback"]
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split(",")) == ALL_SCOPES
    assert query["state"][0]

    page = sandbox.client.get(authorize)
    assert "@second.shop" in page.text and "instagram_business_manage_comments" in page.text
    back = consent(sandbox, authorize, "second.shop")
    assert back.endswith("#_")
    returned = parse_qs(urlsplit(back).query)
    assert returned["state"] == query["state"] and returned["code"][0]

    done = sandbox.client.get(back.removesuffix("#_"))
    assert done.status_code == 200, done.text
    assert "Connected @second.shop" in done.text or "已連接 @second.shop" in done.text
    stored = sandbox.runtime.accounts.get(second.id)
    assert stored.username == "second.shop" and stored.status == "active" and stored.has_token
    assert stored.token_expires_at is not None
    left = stored.token_expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=59) < left <= dt.timedelta(days=61)
    assert set(stored.settings["scopes"]) == ALL_SCOPES
    assert stored.settings["subscribed_fields"] == ["comments", "live_comments"]
    # A long-lived token, issued by the simulator for exactly what was granted; never the plain text.
    token = sandbox.runtime.accounts.token(second.id)
    assert token is not None
    known = simulator.state.token(token.get_secret_value())
    assert known is not None and known.long_lived and known.account_id == second.id
    assert known.scopes == frozenset(ALL_SCOPES)
    assert token.get_secret_value() not in done.text
    # Subscribed now: the next comment reaches the service through its webhook.
    assert simulator.state.accounts[second.id].subscribed_fields == ["comments", "live_comments"]
    comment = simulator.post_comment("later.bird", "畀組號碼我", media_id=media.id)
    key = CommentKey(second.id, comment.id)
    for _ in range(400):  # the sender is a thread of its own: bounded wait, no timing assert
        if sandbox.runtime.comments.find(key) is not None:
            break
        time.sleep(0.025)
    arrived = sandbox.runtime.comments.find(key)
    assert arrived is not None and arrived.source == "webhook" and arrived.text == "畀組號碼我"


def test_a_state_from_another_session_or_none_is_refused(sandbox: Sandbox) -> None:
    authorize, _ = start(sandbox)
    back = consent(sandbox, authorize)
    # The same callback in another logged-in browser: its session did not start this flow.
    other = TestClient(sandbox.client.app, base_url=BASE)
    log_in(other)
    refused = other.get(back.removesuffix("#_"))
    assert refused.status_code == 400 and "another browser session" in refused.text
    forged = sandbox.client.get("/dashboard/accounts/callback", params={"code": "x", "state": "forged"})
    assert forged.status_code == 400 and "not issued here" in forged.text
    missing = sandbox.client.get("/dashboard/accounts/callback", params={"code": "x"})
    assert missing.status_code == 400 and "no state" in missing.text


def test_a_code_is_used_once_and_a_callback_replay_is_refused(sandbox: Sandbox) -> None:
    authorize, _ = start(sandbox)
    back = consent(sandbox, authorize).removesuffix("#_")
    assert sandbox.client.get(back).status_code == 200
    replay = sandbox.client.get(back)
    assert replay.status_code == 400 and "already used" in replay.text
    # The simulator itself refuses the code a second time, whatever the server does.
    code = parse_qs(urlsplit(back).query)["code"][0]
    second = sandbox.client.post(
        "/simulated-instagram/oauth/access_token",
        data={
            "client_id": sandbox.simulator.oauth_book.app_id,
            "client_secret": sandbox.runtime.settings.app_secrets[0],
            "grant_type": "authorization_code",
            "redirect_uri": f"{BASE}/dashboard/accounts/callback",
            "code": code,
        },
    )
    assert second.status_code == 400 and second.json()["error_type"] == "OAuthException"
    assert "has been used" in second.json()["error_message"]


def _fresh_code(sandbox: Sandbox, redirect_uri: str) -> str:
    authorize = sandbox.runtime.connect_config().authorize("s")
    back = consent(sandbox, authorize)
    assert back.startswith(redirect_uri)
    return parse_qs(urlsplit(back).query)["code"][0]


def _exchange(sandbox: Sandbox, code: str, redirect_uri: str, secret: str | None = None) -> httpx.Response:
    return sandbox.client.post(
        "/simulated-instagram/oauth/access_token",
        data={
            "client_id": sandbox.simulator.oauth_book.app_id,
            "client_secret": secret or sandbox.runtime.settings.app_secrets[0],
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code": code,
        },
    )


def test_the_exchange_demands_the_same_redirect_uri_the_secret_and_a_fresh_code(sandbox: Sandbox) -> None:
    callback = f"{BASE}/dashboard/accounts/callback"
    code = _fresh_code(sandbox, callback)
    wrong = _exchange(sandbox, code, f"{BASE}/elsewhere")
    assert wrong.status_code == 400 and "redirect_uri is identical" in wrong.json()["error_message"]
    bad_secret = _exchange(sandbox, code, callback, secret="not-the-secret")
    assert bad_secret.status_code == 400 and "client_secret" in bad_secret.json()["error_message"]
    # Those refusals did not use the code up.
    good = _exchange(sandbox, code, callback)
    assert good.status_code == 200
    [entry] = good.json()["data"]
    assert entry["user_id"] == sandbox.simulator.state.account.id
    assert set(entry["permissions"].split(",")) == ALL_SCOPES
    short = sandbox.simulator.state.token(entry["access_token"])
    assert short is not None and not short.long_lived
    assert short.expires_at - short.issued_at == 3600
    # An hour later a code is dead.
    late = _fresh_code(sandbox, callback)
    sandbox.simulator.oauth_book.codes[late].issued_at -= CODE_LIFETIME_SECONDS + 1
    expired = _exchange(sandbox, late, callback)
    assert expired.status_code == 400 and "expired" in expired.json()["error_message"]


def test_the_authorize_window_refuses_a_foreign_redirect_and_bad_requests(sandbox: Sandbox) -> None:
    authorize = sandbox.runtime.connect_config().authorize("s")
    parts = urlsplit(authorize)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}

    def window(**changes: str) -> httpx.Response:
        return sandbox.client.get(parts.path, params={**query, **changes})

    assert window().status_code == 200
    foreign = window(redirect_uri="https://attacker.example/steal")
    assert foreign.status_code == 400 and "Invalid redirect_uri" in foreign.text
    assert window(client_id="123").status_code == 400
    assert window(response_type="token").status_code == 400
    no_basic = window(scope="instagram_business_manage_comments")
    assert no_basic.status_code == 400 and "instagram_business_basic" in no_basic.text


def test_a_cancelled_consent_connects_nothing_and_says_why(sandbox: Sandbox) -> None:
    before = [account.id for account in sandbox.runtime.accounts.all()]
    authorize, _ = start(sandbox)
    answer = sandbox.client.post(authorize, data={"allow": "0"}, follow_redirects=False)
    back = answer.headers["location"]
    assert "error=access_denied" in back and "error_reason=user_denied" in back
    page = sandbox.client.get(back)
    assert page.status_code == 400 and "The user denied your request." in page.text
    assert [account.id for account in sandbox.runtime.accounts.all()] == before


def test_settings_are_per_account_and_posts_go_to_the_chosen_one(sandbox: Sandbox) -> None:
    simulator = sandbox.simulator
    second = simulator.state.add_account("second.shop", "unused-token")
    authorize, _ = start(sandbox)
    sandbox.client.get(consent(sandbox, authorize, "second.shop").removesuffix("#_"))
    first_id = simulator.state.account.id
    # The picker lists both; the connect callback chose the new one.
    page = sandbox.client.get("/dashboard/settings")
    assert 'id="account-picker"' in page.text and "@second.shop" in page.text
    assert "@second.shop" in page.text.split('id="settings-account"')[1][:200]
    token = csrf_from(page.text)
    form = {
        "csrf_token": token,
        "language": "en",
        "commenter_cooldown_seconds": "15",
        "post_reply_cap": "40",
        "reply_mode": "private",
    }
    bad = sandbox.client.post("/dashboard/settings", data={**form, "reply_mode": "shout"})
    assert bad.status_code == 400 and "reply_mode" in bad.text
    assert sandbox.client.post("/dashboard/settings", data={**form, "csrf_token": "x"}).status_code == 403
    saved = sandbox.client.post("/dashboard/settings", data=form)
    assert saved.status_code == 200
    settings = sandbox.runtime.accounts.get(second.id).settings
    assert settings["language"] == "en" and settings["reply_mode"] == "private"
    assert settings["commenter_cooldown_seconds"] == 15 and settings["post_reply_cap"] == 40
    assert "reply_mode" not in sandbox.runtime.accounts.get(first_id).settings
    # Switch back with the picker: the settings page now shows the first account's values.
    chosen = sandbox.client.post(
        "/dashboard/accounts/choose",
        data={"csrf_token": token, "account_id": first_id, "next": "/dashboard/settings"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/dashboard/settings"
    again = sandbox.client.get("/dashboard/settings")
    assert "@marksix.sandbox" in again.text.split('id="settings-account"')[1][:200]
    unknown = sandbox.client.post(
        "/dashboard/accounts/choose", data={"csrf_token": token, "account_id": "404"}
    )
    assert unknown.status_code == 400 and "404" in unknown.text
    card = sandbox.client.get("/dashboard/card")
    assert "@marksix.sandbox" in card.text.split('id="publish-account"')[1][:200]
