"""Fixtures: a simulator served on 127.0.0.1, a webhook receiver, a Graph client on it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marksix.instagram.graph import GraphClient
from marksix.instagram.webhooks import CommentEvent, parse_webhook, verify_signature
from marksix.sandbox import DEFAULT_TOKEN, BackgroundServer, Simulator, create_simulator_app

APP_SECRET = "simulator-app-secret"


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def events(self) -> list[CommentEvent]:
        return parse_webhook(self.payload)

    @property
    def signed(self) -> bool:
        return verify_signature(self.body, self.headers.get("x-hub-signature-256"), [APP_SECRET])


@dataclass
class Receiver:
    """Records webhook POSTs; `statuses` answers the next ones (then 200)."""

    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.received.append(Received(body, headers))
            return self.statuses.pop(0) if self.statuses else 200

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(self.handle(request.content, dict(request.headers)))

        return httpx.MockTransport(handler)

    def events(self) -> list[CommentEvent]:
        with self.lock:
            return [event for item in self.received for event in item.events]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@dataclass
class Sandbox:
    simulator: Simulator
    url: str

    @property
    def graph_url(self) -> str:
        return f"{self.url}/simulated-graph"

    def client(self, **kwargs: Any) -> GraphClient:
        kwargs.setdefault("timeout", 5.0)
        return GraphClient(DEFAULT_TOKEN, base_url=self.graph_url, **kwargs)

    def comment(self, text: str = "下期買咩好？", username: str = "alice", **kwargs: Any) -> str:
        return self.simulator.post_comment(username, text, **kwargs).id


SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def sandbox_factory(receiver: Receiver) -> Iterator[SandboxFactory]:
    """Start a simulator on a free loopback port; webhooks go to `receiver` in memory."""
    started: list[tuple[BackgroundServer, Simulator]] = []

    def start(*, subscribe: bool = True, **options: Any) -> Sandbox:
        """`subscribe`: connect the account as the service does (POST subscribed_apps), since
        accounts start unsubscribed, like on Instagram."""
        options.setdefault("latency_ms", 0.0)
        options.setdefault("webhook_transport", receiver.transport())
        options.setdefault("time_scale", 0.0001)
        app = create_simulator_app(app_secret=APP_SECRET, webhook_url="http://receiver.test/hook", **options)
        server = BackgroundServer(app)
        server.start()
        started.append((server, app.state.simulator))
        sandbox = Sandbox(app.state.simulator, server.url)
        if subscribe:
            with sandbox.client() as client:
                for account in list(sandbox.simulator.state.accounts.values()):
                    client.subscribe(account.id)
        return sandbox

    yield start
    for server, simulator in started:
        simulator.closing.set()  # let calls hanging on a timeout fault end now
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> Sandbox:
    return sandbox_factory()


def receiver_app(receiver: Receiver) -> Starlette:
    """The same receiver as a real HTTP endpoint, for end-to-end tests over sockets."""

    async def hook(request: Request) -> Response:
        return Response(status_code=receiver.handle(await request.body(), dict(request.headers)))

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


class FakeClock:
    """Epoch seconds that move only when told; `advance` doubles as a client's sleep."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
