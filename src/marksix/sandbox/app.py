"""The simulator assembled: state, faults, usage meter, Graph routes, sandbox API, sender.

Standalone, `create_simulator_app(...)` is a Starlette app whose lifespan
stops the sender. Inside the main app, mount `simulator.routes` (or the app
itself, last) and call `simulator.close()` from the main lifespan: a
mounted app's own lifespan never runs.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from marksix.sandbox.faults import Fault, FaultBook
from marksix.sandbox.graph_routes import GraphApi
from marksix.sandbox.meter import UsageMeter
from marksix.sandbox.oauth import DEFAULT_OAUTH_PREFIX, OAuthApi, OAuthBook
from marksix.sandbox.payloads import Change, change_for
from marksix.sandbox.persist import StateFile
from marksix.sandbox.sandbox_routes import sandbox_routes
from marksix.sandbox.sender import RETRY_DELAYS, WebhookSender
from marksix.sandbox.state import Comment, SimulatorState

DEFAULT_GRAPH_PREFIX = "/simulated-graph"


class Simulator:
    """One simulated Instagram with its webhook sender. Close it when done."""

    def __init__(
        self,
        state: SimulatorState | None = None,
        *,
        app_secret: str,
        webhook_url: str | None,
        latency_ms: float = 20.0,
        graph_prefix: str = DEFAULT_GRAPH_PREFIX,
        webhook_transport: httpx.BaseTransport | None = None,
        time_scale: float = 1.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        attempt_timeout: float = 5.0,
        batch_window: float = 0.0,
        shape: str = "changes",
        ad_duplicates: bool = True,
        calls_per_window: int = 4800,
        window_seconds: float = 3600.0,
        require_appsecret_proof: bool = False,
        disable_after: float | None = None,
        oauth_book: OAuthBook | None = None,
        oauth_prefix: str = DEFAULT_OAUTH_PREFIX,
        state_file: Path | None = None,
        save_every: float = 2.0,
    ) -> None:
        self.state = state if state is not None else SimulatorState()
        #: With a `state_file`, what the simulated Instagram knows survives a restart (persist.py);
        #: new simulator state in its own module joins with `simulator.persistence.track(name, obj)`.
        self.persistence: StateFile | None = None
        if state_file is not None:
            self.persistence = StateFile(state_file, every=save_every)
            self.persistence.track("state", self.state, lock=self.state._lock)
        self.graph_prefix = "/" + graph_prefix.strip("/")
        #: The simulated www.instagram.com and api.instagram.com (Business Login).
        self.oauth_prefix = "/" + oauth_prefix.strip("/")
        self.oauth_book = oauth_book if oauth_book is not None else OAuthBook()
        self.oauth = OAuthApi(self.state, self.oauth_book, app_secret=app_secret)
        self.faults = FaultBook()
        self.meter = UsageMeter(calls_per_window=calls_per_window, window_seconds=window_seconds)
        self.closing = threading.Event()
        self.sender = WebhookSender(
            webhook_url,
            app_secret,
            faults=self.faults,
            transport=webhook_transport,
            time_scale=time_scale,
            retry_delays=retry_delays,
            attempt_timeout=attempt_timeout,
            batch_window=batch_window,
            shape=shape,
            ad_duplicates=ad_duplicates,
            disable_after=disable_after,
            on_disabled=self._webhooks_disabled,
            on_failing=self._webhooks_failing,
        )
        self.alerts: list[dict[str, Any]] = []
        self.graph = GraphApi(
            self.state,
            self.faults,
            self.meter,
            latency_ms=latency_ms,
            app_secret=app_secret,
            require_appsecret_proof=require_appsecret_proof,
            closing=self.closing,
        )
        self.state.on_comment = self._deliver
        self.unsubscribed_skips = 0
        self.routes: list[BaseRoute] = [
            *sandbox_routes(self),
            Mount(self.oauth_prefix, routes=self.oauth.routes()),
            Mount(self.graph_prefix, routes=self.graph.routes()),
        ]
        if self.persistence is not None:
            # New simulator state kept elsewhere joins the file with one line like this one.
            self.persistence.track("delivery_health", self.sender.health, lock=self.sender._lock)
            self.persistence.start()

    @property
    def webhook_url(self) -> str | None:
        return self.sender.url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self.sender.url = url

    def post_comment(
        self,
        username: str,
        text: str,
        *,
        media_id: str | None = None,
        parent_id: str | None = None,
        shape: str | None = None,
    ) -> Comment:
        """A comment by `username`; its webhook goes out in the given envelope shape."""
        comment = self.state.post_comment(
            username, text, media_id=media_id, parent_id=parent_id, notify=False
        )
        self._submit(change_for(self.state, comment), shape)
        return comment

    def verify_webhook(self, verify_token: str) -> dict[str, Any]:
        """Meta's subscription handshake against `webhook_url`: is the challenge echoed?"""
        if self.webhook_url is None:
            return {"ok": False, "status": None, "error": "no webhook_url is configured"}
        challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
        params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
        try:
            with httpx.Client(transport=self.sender.transport, timeout=self.sender.attempt_timeout) as http:
                response = http.get(self.webhook_url, params=params)
        except httpx.HTTPError as problem:
            return {"ok": False, "status": None, "error": f"{type(problem).__name__}: {problem}"}
        ok = response.status_code == 200 and response.text == challenge
        return {
            "ok": ok,
            "status": response.status_code,
            "challenge": challenge,
            "answer": response.text[:200],
        }

    def in_process_transport(self) -> httpx.BaseTransport:
        """A sync transport into these Graph routes without a socket: the server connects its
        sandbox account through the same HTTP calls before it starts listening."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        graph_app = Starlette(
            routes=[
                Mount(self.oauth_prefix, routes=self.oauth.routes()),
                Mount(self.graph_prefix, routes=self.graph.routes()),
            ]
        )

        async def forward(request: httpx.Request, body: bytes) -> httpx.Response:
            transport = httpx.ASGITransport(app=graph_app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.internal") as http:
                answer = await http.request(
                    request.method, request.url, headers=request.headers, content=body
                )
                return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

        def handle(request: httpx.Request) -> httpx.Response:
            body = request.read()
            # Its own thread and loop: the caller may be inside the server's running loop.
            with ThreadPoolExecutor(max_workers=1) as pool:
                return pool.submit(asyncio.run, forward(request, body)).result()

        return httpx.MockTransport(handle)

    def add_fault(self, fault: Fault) -> Fault:
        if fault.kind == "usage":  # a level, not an event: it holds until cleared
            account_id = fault.account_id or self.state.account.id
            self.meter.force(account_id, fault.percent, fault.retry_after_minutes)
            return fault
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()
        for account_id in list(self.state.accounts):
            self.meter.force(account_id, 0)

    def reset(self) -> None:
        """Clear posts and comments; the app's connection to the account is not a post, it stays
        (its webhook fields, and the tokens it was granted through Business Login)."""
        fields = list(self.state.account.subscribed_fields)
        tokens = dict(self.state.tokens)
        self.state.reset()
        self.state.subscribe(self.state.account.id, fields)
        for value, token in tokens.items():
            if token.account_id in self.state.accounts:
                self.state.tokens.setdefault(value, token)
        self.alerts.clear()
        self.faults.clear()
        self.meter.reset()

    def close(self) -> None:
        """Release hanging calls, stop the sender thread, and save the state a last time."""
        self.closing.set()
        self.sender.stop()
        if self.persistence is not None:
            self.persistence.close()

    def to_json(self) -> dict[str, Any]:
        account = self.state.account
        return {
            **self.state.to_json(),
            "graph_prefix": self.graph_prefix,
            "webhook_url": self.webhook_url,
            "faults": [fault.to_json() for fault in self.faults.list()],
            "alerts": list(self.alerts),
            "usage_percent": self.meter.percent(account.id),
            "webhooks": {**self.sender.stats(), "unsubscribed_skips": self.unsubscribed_skips},
            "delivery_health": {
                account_id: self.delivery_health(account_id) for account_id in self.state.accounts
            },
            "deliveries": self.sender.deliveries(),
        }

    def _webhooks_disabled(self, account_ids: tuple[str, ...]) -> None:
        """What Meta does after an hour of failures: unsubscribe, and tell the developer."""
        for account_id in account_ids:
            account = self.state.accounts.get(account_id)
            if account is not None:
                account.subscribed_fields = []
                self.alerts.append(
                    {"account_id": account_id, "alert": "Webhooks Disabled", "at": time.time()}
                )

    def _webhooks_failing(self, account_ids: tuple[str, ...]) -> None:
        """Meta's alert after 15 minutes of failed deliveries, before it disables them."""
        for account_id in account_ids:
            self.alerts.append({"account_id": account_id, "alert": "Webhooks Failing", "at": time.time()})

    def delivery_health(self, account_id: str) -> dict[str, Any]:
        """The account's webhook delivery as Meta would report it (for `doctor` on the sandbox)."""
        entry = self.sender.delivery_health().get(account_id, {})
        return {
            "disabled": bool(entry.get("disabled")),
            "failing": entry.get("failing_since") is not None,
            "failures": int(entry.get("failures") or 0),
            "alerts": [alert["alert"] for alert in self.alerts if alert["account_id"] == account_id],
        }

    def _deliver(self, state: SimulatorState, comment: Comment) -> None:
        self._submit(change_for(state, comment), None)

    def _submit(self, change: Change, shape: str | None) -> None:
        """Only accounts subscribed to the field get it, as after `POST /{id}/subscribed_apps`."""
        account = self.state.accounts.get(change.account_id)
        if account is not None and change.field not in account.subscribed_fields:
            self.unsubscribed_skips += 1
            return
        if account is not None:
            self.sender.resubscribed(account.id)  # subscribed again after Webhooks Disabled
        self.sender.submit(change, shape=shape)


def create_simulator_app(
    state: SimulatorState | None = None,
    *,
    app_secret: str,
    webhook_url: str | None,
    latency_ms: float = 20.0,
    graph_prefix: str = DEFAULT_GRAPH_PREFIX,
    **options: Any,
) -> Starlette:
    """A standalone simulator app; `app.state.simulator` is the `Simulator`."""
    simulator = Simulator(
        state,
        app_secret=app_secret,
        webhook_url=webhook_url,
        latency_ms=latency_ms,
        graph_prefix=graph_prefix,
        **options,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            simulator.close()

    app = Starlette(routes=simulator.routes, lifespan=lifespan)
    app.state.simulator = simulator
    return app
