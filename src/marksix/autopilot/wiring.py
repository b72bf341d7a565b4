"""Attach the autopilot to the web app: the poller, and in the sandbox the simulated HKJC."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from marksix.autopilot.service import Autopilot

if TYPE_CHECKING:
    from fastapi import FastAPI

    from marksix.web.runtime import Runtime


def start_autopilot(app: FastAPI, runtime: Runtime, *, sandbox: bool) -> Autopilot:
    from marksix.draws.hkjc import HkjcClient

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    locator = runtime.settings.locator
    if sandbox:
        from marksix.sandbox.hkjc_sim import SimulatedHkjc

        holder: dict[str, Autopilot] = {}
        simulated = SimulatedHkjc(lambda: _latest(holder), clock)

        def client() -> Any:
            return HkjcClient(transport=simulated.transport(), retries=0)

        autopilot = Autopilot(runtime.engine, locator, hkjc_client=client, clock=clock)
        holder["autopilot"] = autopilot
        app.state.simulated_hkjc = simulated
    else:
        settings = runtime.settings

        def client() -> Any:
            return HkjcClient(base_url=settings.hkjc_url) if settings.hkjc_url else HkjcClient()

        autopilot = Autopilot(runtime.engine, locator, hkjc_client=client, clock=clock)
    app.state.autopilot = autopilot
    # With --web-only, `marksix scheduler` runs the poller (worker/scheduler.results_job).
    if (sandbox or runtime.settings.hkjc_poll) and runtime.options.results_poller:
        autopilot.start()
    return autopilot


def _latest(holder: dict[str, Autopilot]) -> Any:
    autopilot = holder.get("autopilot")
    if autopilot is None:
        return None
    history = autopilot.archive.history()
    return history.latest if len(history) else None
