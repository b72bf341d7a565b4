"""Connect an account to webhooks: `POST /{ig-user-id}/subscribed_apps` with the fields we use.

Instagram sends an account's comments only after the app enables them for
that account (Webhooks setup, step 3; an account receives the fields the
app subscribed to in the App Dashboard, and none until this call):
https://developers.facebook.com/documentation/instagram-platform/webhooks
Without it only the five-minute poller ever finds a comment. The service
calls it when an account is connected and every time it starts, and reads
the answer back, since a silent no-op would look like success.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from marksix.errors import ApiError, ConfigError, RateLimited, RetryableApiError
from marksix.store.accounts import Account

log = structlog.get_logger("marksix.worker.subscriptions")

WEBHOOK_FIELDS: tuple[str, ...] = ("comments", "live_comments")


class Subscribing(Protocol):
    def subscribe(self, ig_user_id: str, fields: tuple[str, ...] = WEBHOOK_FIELDS) -> bool: ...

    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Connection:
    account_id: str
    fields: list[str] = field(default_factory=list)
    problem: str | None = None
    #: The problem may go away by itself (a network failure, a 5xx, a rate limit): try again later.
    passing: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None and "comments" in self.fields


def subscribed_fields(answer: Iterable[dict[str, Any]]) -> list[str]:
    """The field names out of GET subscribed_apps: `{"data": [{"subscribed_fields": [...]}]}`."""
    names: list[str] = []
    for app in answer:
        for name in app.get("subscribed_fields") or ():
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def subscribe(graph: Subscribing, account_id: str, fields: tuple[str, ...] = WEBHOOK_FIELDS) -> Connection:
    try:
        graph.subscribe(account_id, fields)
        granted = subscribed_fields(graph.subscriptions(account_id))
    except (ApiError, ConfigError) as error:
        log.warning("subscribe_failed", account_id=account_id, error=str(error))
        passing = isinstance(error, RetryableApiError | RateLimited)
        return Connection(account_id, problem=f"{type(error).__name__}: {error}", passing=passing)
    missing = [name for name in fields if name not in granted]
    if missing:
        return Connection(account_id, granted, problem=f"still not subscribed to {', '.join(missing)}")
    log.info("subscribed", account_id=account_id, fields=granted)
    return Connection(account_id, granted)


def connect_accounts(accounts: Iterable[Account], graph_for: Callable[[Account], Any]) -> list[Connection]:
    """Subscribe every active account that holds a token; problems are returned, never raised."""
    results: list[Connection] = []
    for account in accounts:
        if account.blocked or not account.has_token:
            continue
        try:
            graph = graph_for(account)
        except ConfigError as error:
            results.append(Connection(account.id, problem=str(error)))
            continue
        results.append(subscribe(graph, account.id))
    return results


#: Account settings keys where the connection's facts are kept (no schema change needed).
SUBSCRIBED_KEY = "subscribed_fields"
SCOPES_KEY = "scopes"


def record(accounts: Any, connection: Connection, *, now: Any) -> None:
    """Keep what Graph answered on the account, for `accounts list` and `doctor`."""
    account = accounts.find(connection.account_id)
    if account is None:
        return
    accounts.update_settings(account.id, {SUBSCRIBED_KEY: list(connection.fields)}, now=now)


#: `keep_connecting` waits this long after a failure, doubling each time up to the last.
RETRY_FIRST_SECONDS = 5.0
RETRY_LAST_SECONDS = 300.0


def keep_connecting(
    accounts: Any,
    graph_for: Callable[[Account], Any],
    *,
    now: Callable[[], Any],
    stopping: threading.Event,
    first: float = RETRY_FIRST_SECONDS,
    last: float = RETRY_LAST_SECONDS,
) -> None:
    """`connect_accounts` and `record` at start, until every account is done or `stopping` is set.

    A server can start while its database restarts (PostgreSQL failing over)
    or while Graph has a bad minute; it must not then run unsubscribed until
    the next restart. A failure of the store tries every account again; a
    passing Graph failure tries that account again; the others are final
    (an expired token, a missing permission) and wait for a person, as `doctor` says.
    """
    wanted: set[str] | None = None  # None: every account
    delay = first
    while not stopping.is_set():
        try:
            chosen = [account for account in accounts.all() if wanted is None or account.id in wanted]
            again: set[str] = set()
            for connection in connect_accounts(chosen, graph_for):
                record(accounts, connection, now=now())
                if not connection.ok:
                    log.warning(
                        "account_not_subscribed", account_id=connection.account_id, problem=connection.problem
                    )
                    if connection.passing:
                        again.add(connection.account_id)
        except Exception as error:  # the store is unreachable for now: all of them again, later
            log.warning("account_connect_deferred", error=f"{type(error).__name__}: {error}", retry_in=delay)
        else:
            if not again:
                return
            wanted = again
            log.info("account_connect_retrying", accounts=sorted(again), retry_in=delay)
        if stopping.wait(delay):
            return
        delay = min(delay * 2, last)
