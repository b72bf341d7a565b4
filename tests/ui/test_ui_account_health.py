"""The dashboard's account health: pause/resume/unblock, moderation, unhide, token warnings, doctor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from ui_support import ACCOUNT_ID, FakeRuntime, csrf_from, log_in, make_app, seed_comment

from marksix.store.account_health import PAUSED_BY_PERSON, AccountHealth


@dataclass
class HealthRuntime(FakeRuntime):
    """FakeRuntime whose Graph client also answers `me` and records hides."""

    hides: list[tuple[str, bool]] = field(default_factory=list)

    def graph_client(self, account_id: str) -> Any:
        base = super().graph_client(account_id)
        runtime = self

        class Client:
            def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]:
                return list(base.subscriptions(ig_user_id))

            def me(self, fields: str = "") -> dict[str, Any]:
                return {"user_id": account_id, "username": "marksix.sandbox", "account_type": "BUSINESS"}

            def hide(self, comment_id: str, hidden: bool = True) -> None:
                runtime.hides.append((comment_id, hidden))

        return Client()


@pytest.fixture
def client(runtime: FakeRuntime) -> Iterator[TestClient]:
    health_runtime = HealthRuntime(
        settings=runtime.settings, comments=runtime.comments, accounts=runtime.accounts
    )
    with TestClient(make_app(health_runtime)) as logged_in:
        log_in(logged_in)
        logged_in.health_runtime = health_runtime  # type: ignore[attr-defined]
        yield logged_in


def post_action(client: TestClient, path: str, *, csrf: bool = True) -> int:
    page = client.get("/dashboard/accounts")
    data = {"csrf_token": csrf_from(page.text)} if csrf else {}
    return client.post(path, data=data, follow_redirects=False).status_code


def test_pause_resume_and_unblock_buttons_need_csrf(client: TestClient, runtime: FakeRuntime) -> None:
    assert runtime.accounts is not None
    page = client.get("/dashboard/accounts?lang=en")
    assert ">Pause<" in page.text and ">Resume<" in page.text and ">Unblock<" in page.text
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/pause", csrf=False) == 403
    assert runtime.accounts.get(ACCOUNT_ID).status == "active"
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/pause") == 303
    account = runtime.accounts.get(ACCOUNT_ID)
    assert (account.status, account.alert) == ("blocked", PAUSED_BY_PERSON)
    assert PAUSED_BY_PERSON in client.get("/dashboard/accounts").text
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/resume") == 303
    assert runtime.accounts.get(ACCOUNT_ID).status == "active"
    # A block for a missing permission is lifted by Unblock only.
    runtime.accounts.block(ACCOUNT_ID, "lacks a permission", now=dt.datetime.now(dt.UTC))
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/resume") == 409
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/unblock") == 303
    assert runtime.accounts.get(ACCOUNT_ID).status == "active"
    assert post_action(client, "/dashboard/accounts/404/pause") == 404
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/explode") == 404


def test_moderation_is_off_by_default_and_toggled_per_account(
    client: TestClient, migrated_engine: Engine
) -> None:
    health = AccountHealth(migrated_engine)
    assert health.hides_spam(ACCOUNT_ID) is False
    assert "Hide spam: off" in client.get("/dashboard/accounts?lang=en").text
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/hide-spam") == 303
    assert health.hides_spam(ACCOUNT_ID) is True
    assert "Hide spam: on" in client.get("/dashboard/accounts?lang=en").text
    assert post_action(client, f"/dashboard/accounts/{ACCOUNT_ID}/show-spam") == 303
    assert health.hides_spam(ACCOUNT_ID) is False


def test_a_hidden_comment_shows_in_the_reply_log_and_can_be_unhidden(
    client: TestClient, migrated_engine: Engine
) -> None:
    seed_comment(
        migrated_engine, 7, state="skipped", intent="ignore", reply_text=None, reason="looks like spam"
    )
    health = AccountHealth(migrated_engine)
    health.log_moderation(
        ACCOUNT_ID, "c00007", "hidden", "looks like spam or an advert", now=dt.datetime.now(dt.UTC)
    )
    page = client.get("/dashboard/replies?lang=en")
    assert "Hidden" in page.text and ">Unhide<" in page.text
    path = f"/dashboard/replies/{ACCOUNT_ID}/c00007/unhide"
    assert client.post(path, data={}, follow_redirects=False).status_code == 403
    response = client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert client.health_runtime.hides == [("c00007", False)]  # type: ignore[attr-defined]
    assert health.moderation(ACCOUNT_ID)["c00007"].action == "unhidden"
    assert "Unhidden" in client.get("/dashboard/replies?lang=en").text
    # Only a comment moderation hid can be unhidden from here.
    again = client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert again.status_code == 409


def test_the_accounts_page_warns_ten_days_before_the_token_expires(
    client: TestClient, runtime: FakeRuntime
) -> None:
    assert runtime.accounts is not None
    now = dt.datetime.now(dt.UTC)
    runtime.accounts.set_token_expiry(ACCOUNT_ID, now + dt.timedelta(days=11), now=now)
    assert "could not be renewed yet" not in client.get("/dashboard/accounts").text
    runtime.accounts.set_token_expiry(ACCOUNT_ID, now + dt.timedelta(days=9, hours=12), now=now)
    page = client.get("/dashboard/accounts").text
    assert "the access token expires on" in page and "(in 9 days)" in page


def test_the_doctor_page_lists_each_check_with_its_fix(client: TestClient, runtime: FakeRuntime) -> None:
    assert runtime.accounts is not None
    now = dt.datetime.now(dt.UTC)
    runtime.accounts.set_token_expiry(ACCOUNT_ID, now + dt.timedelta(days=5), now=now)
    page = client.get("/dashboard/doctor?lang=en")
    assert page.status_code == 200 and 'id="doctor"' in page.text
    for name in ("webhook handshake reaches this server", "@marksix.sandbox: token", "database", "queue"):
        assert name in page.text
    assert "need a fix" in page.text
    assert "the access token expires on" in page.text  # the same 10-day warning as the accounts page
    assert client.get("/dashboard/doctor", follow_redirects=False).status_code == 200
    anonymous = TestClient(make_app(runtime))
    assert anonymous.get("/dashboard/doctor", follow_redirects=False).status_code == 303
