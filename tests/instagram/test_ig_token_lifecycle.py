"""Tokens that age: imported once, refreshed by the worker against the strict simulator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import SecretStr

from marksix.config import load_settings
from marksix.instagram.graph import GraphClient
from marksix.sandbox import DEFAULT_TOKEN, SimulatorState
from marksix.sandbox.conformance import DAY
from marksix.store.accounts import Account, AccountRepository
from marksix.worker.runtime import ensure_configured_account, open_store
from marksix.worker.tokens import TokenRefresher

from .conftest import FakeClock, SandboxFactory


def test_a_token_aged_past_fifty_days_is_refreshed_without_a_person(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    clock = FakeClock()
    state = SimulatorState(clock=clock)
    sandbox = sandbox_factory(state=state)
    settings = load_settings(
        home=tmp_path,
        ig_access_token=SecretStr(DEFAULT_TOKEN),
        ig_user_id=state.account.id,
        ig_username="marksix.sandbox",
        _env_file=None,
    )
    engine, _, accounts = open_store(settings, sandbox=True)

    def utc() -> dt.datetime:
        return dt.datetime.fromtimestamp(clock(), dt.UTC)

    made: list[GraphClient] = []

    def graph_for(account: Account) -> GraphClient:
        token = accounts.token(account.id)
        assert token is not None
        made.append(GraphClient(token.get_secret_value(), base_url=sandbox.graph_url))
        return made[-1]

    try:
        imported = ensure_configured_account(settings, accounts, now=utc())
        assert imported is not None and imported.token_expires_at is None  # not known until Meta says
        refresher = TokenRefresher(accounts, graph_for=graph_for, clock=utc, refresh_unknown=True)

        # Day 0: Meta refuses to refresh a token under a day old; the worker tries again later.
        first = refresher.refresh()
        assert first.refreshed == [] and "24 hours" in first.problems[0]

        # Day 51: refreshed, with the expiry Meta gave; the old token dies at day 60 anyway.
        clock.advance(51 * DAY)
        assert refresher.refresh().refreshed == [state.account.id]
        account = accounts.get(state.account.id)
        assert account.token_expires_at is not None
        assert account.token_expires_at - utc() > dt.timedelta(days=59)
        renewed = accounts.token(account.id)
        assert renewed is not None and renewed.get_secret_value() != DEFAULT_TOKEN

        # A restart with the old token still in the environment keeps the newer one.
        ensure_configured_account(settings, accounts, now=utc())
        kept = accounts.token(account.id)
        assert kept is not None and kept.get_secret_value() == renewed.get_secret_value()

        # Day 70: past the first token's 60 days, the account still answers.
        clock.advance(19 * DAY)
        with graph_for(accounts.get(account.id)) as client:
            assert client.me()["user_id"] == state.account.id
    finally:
        for client in made:
            client.close()
        engine.dispose()


def test_a_new_token_in_the_environment_is_imported(tmp_path: Path) -> None:
    settings = load_settings(
        home=tmp_path, ig_access_token=SecretStr("tok-1"), ig_user_id="42", _env_file=None
    )
    engine, _, accounts = open_store(settings, sandbox=True)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    try:
        ensure_configured_account(settings, accounts, now=now)
        accounts.set_token("42", "tok-refreshed", now=now)
        ensure_configured_account(settings, accounts, now=now)
        assert _plain(accounts, "42") == "tok-refreshed"
        ensure_configured_account(
            settings.model_copy(update={"ig_access_token": SecretStr("tok-2")}), accounts, now=now
        )
        assert _plain(accounts, "42") == "tok-2"
    finally:
        engine.dispose()


def _plain(accounts: AccountRepository, account_id: str) -> str:
    token = accounts.token(account_id)
    assert token is not None
    return token.get_secret_value()
