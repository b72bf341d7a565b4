"""Attach the autopilot to the web app: the poller, the scheduled posts, and in the
sandbox the simulated HKJC (and the simulated account's posts switched on)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from marksix.autopilot.posts import Publishing
from marksix.autopilot.service import Autopilot

if TYPE_CHECKING:
    from fastapi import FastAPI

    from marksix.web.runtime import Runtime


def start_autopilot(app: FastAPI, runtime: Runtime, *, sandbox: bool) -> Autopilot:
    from marksix.draws.hkjc import HkjcClient

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    locator = runtime.settings.locator
    publishing = publishing_for(runtime, sandbox=sandbox)
    if sandbox:
        from marksix.sandbox.hkjc_sim import SimulatedHkjc

        holder: dict[str, Autopilot] = {}
        simulated = SimulatedHkjc(lambda: _latest(holder), clock)

        def client() -> Any:
            return HkjcClient(transport=simulated.transport(), retries=0)

        autopilot = Autopilot(runtime.engine, locator, hkjc_client=client, clock=clock, publishing=publishing)
        holder["autopilot"] = autopilot
        app.state.simulated_hkjc = simulated
    else:
        settings = runtime.settings

        def client() -> Any:
            return HkjcClient(base_url=settings.hkjc_url) if settings.hkjc_url else HkjcClient()

        autopilot = Autopilot(runtime.engine, locator, hkjc_client=client, clock=clock, publishing=publishing)
    app.state.autopilot = autopilot
    if sandbox or runtime.settings.hkjc_poll:
        autopilot.start()
    return autopilot


def publishing_for(runtime: Runtime, *, sandbox: bool) -> Publishing:
    """The posts go to the service's accounts, with their Graph clients; images are
    served from this server's public address (in the sandbox, the address it runs on)."""
    settings = runtime.settings
    public_url = runtime.public_url or (runtime.options.base_url if sandbox else None)
    return Publishing(
        accounts=runtime.accounts,
        graph_for=runtime.graph_clients,
        home=runtime.home,
        public_url=public_url,
        font=str(settings.card_font) if settings.card_font else None,
        default_enabled=sandbox,
    )


def _latest(holder: dict[str, Autopilot]) -> Any:
    autopilot = holder.get("autopilot")
    if autopilot is None:
        return None
    history = autopilot.archive.history()
    return history.latest if len(history) else None
