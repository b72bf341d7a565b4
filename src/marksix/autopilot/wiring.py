"""Attach the autopilot to the web app: the poller, the scheduled posts, and in the
sandbox the simulated HKJC (and the simulated account's posts switched on)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from marksix.autopilot.posts import Publishing
from marksix.autopilot.service import Autopilot

if TYPE_CHECKING:
    from fastapi import FastAPI

    from marksix.config import Settings
    from marksix.web.runtime import Runtime
    from marksix.worker.build import BuiltWorker


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
    # With --web-only, `marksix scheduler` runs the poller (worker/scheduler.results_job).
    if (sandbox or runtime.settings.hkjc_poll) and runtime.options.results_poller:
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


def worker_autopilot(settings: Settings, worker: BuiltWorker) -> Autopilot:
    """The autopilot of a process that serves no web app (`marksix scheduler`): the
    results poller against real HKJC and the posts, on the worker's store and clients.
    Posts need MARKSIX_PUBLIC_URL there: the images are served by the web processes."""
    from marksix.draws.hkjc import HkjcClient
    from marksix.worker.runtime import settings_home

    def client() -> Any:
        return HkjcClient(base_url=settings.hkjc_url) if settings.hkjc_url else HkjcClient()

    publishing = Publishing(
        accounts=worker.accounts,
        graph_for=worker.graph_clients,
        home=settings_home(settings),
        public_url=settings.public_url,
        font=str(settings.card_font) if settings.card_font else None,
    )
    return Autopilot(worker.engine, settings.locator, hkjc_client=client, publishing=publishing)


def _latest(holder: dict[str, Autopilot]) -> Any:
    autopilot = holder.get("autopilot")
    if autopilot is None:
        return None
    history = autopilot.archive.history()
    return history.latest if len(history) else None
