"""Subscribing at start keeps trying while the database or Graph is briefly away."""

from __future__ import annotations

import threading
from typing import Any

from service_fakes import ACCOUNT_ID, Env
from sqlalchemy.exc import OperationalError

from marksix.errors import RetryableApiError, TokenExpired
from marksix.worker.subscriptions import SUBSCRIBED_KEY, WEBHOOK_FIELDS, keep_connecting

OTHER = "17841499999999999"


class FlakyStore:
    """The account repository, unreachable for its first `down` reads (a PostgreSQL restart)."""

    def __init__(self, accounts: Any, down: int) -> None:
        self.accounts = accounts
        self.down = down

    def all(self) -> Any:
        if self.down:
            self.down -= 1
            raise OperationalError("SELECT", {}, Exception("connection refused"))
        return self.accounts.all()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.accounts, name)


class Graph:
    """subscribed_apps, failing the first `failures` times with `error`."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.failures, self.error = failures, error
        self.calls = 0
        self.fields: tuple[str, ...] = ()

    def subscribe(self, ig_user_id: str, fields: tuple[str, ...] = WEBHOOK_FIELDS) -> bool:
        self.calls += 1
        if self.failures:
            self.failures -= 1
            assert self.error is not None
            raise self.error
        self.fields = fields
        return True

    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]:
        return [{"subscribed_fields": list(self.fields)}]


def test_a_start_while_the_database_is_down_subscribes_once_it_is_back(env: Env) -> None:
    graph = Graph()
    keep_connecting(
        FlakyStore(env.accounts, down=2),
        lambda account: graph,
        now=env.clock,
        stopping=threading.Event(),
        first=0,
    )
    assert graph.calls == 1
    assert env.accounts.get(ACCOUNT_ID).settings[SUBSCRIBED_KEY] == ["comments", "live_comments"]


def test_a_passing_graph_failure_is_retried_for_that_account_only_and_a_final_one_is_not(env: Env) -> None:
    env.accounts.save(OTHER, "other_account", now=env.clock(), token="IGAAT-other")
    flaky = Graph(failures=2, error=RetryableApiError("Graph 503"))
    expired = Graph(failures=99, error=TokenExpired("token expired"))
    graphs = {ACCOUNT_ID: flaky, OTHER: expired}
    keep_connecting(
        env.accounts, lambda account: graphs[account.id], now=env.clock, stopping=threading.Event(), first=0
    )
    assert flaky.calls == 3  # twice refused, then subscribed
    assert expired.calls == 1  # a person must reconnect it; `doctor` says so
    assert env.accounts.get(ACCOUNT_ID).settings[SUBSCRIBED_KEY] == ["comments", "live_comments"]


def test_it_stops_waiting_when_the_server_stops(env: Env) -> None:
    stopping = threading.Event()
    stopping.set()
    graph = Graph()
    keep_connecting(
        FlakyStore(env.accounts, down=99), lambda account: graph, now=env.clock, stopping=stopping
    )
    assert graph.calls == 0
