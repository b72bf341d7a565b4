"""The web app: webhook routes, health and metrics, the sandbox and the dashboard.

`create_app` only assembles routes. Everything with a lifetime (database
engine, queue, worker threads, simulator) lives in a `Runtime`, built once
in the lifespan unless a caller hands one in (tests, `marksix serve`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.util import find_spec
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from marksix import __version__
from marksix.autopilot import record_page
from marksix.autopilot.wiring import start_autopilot
from marksix.config import Settings
from marksix.sandbox import hkjc_routes
from marksix.web import health, webhook_routes
from marksix.web.guards import WEBHOOK_MAX_BYTES, BodyLimit, SecurityHeaders
from marksix.web.runtime import Runtime, ServeOptions, build_runtime, make_simulator

if TYPE_CHECKING:
    from marksix.sandbox import Simulator


def create_app(
    settings: Settings, *, runtime: Runtime | None = None, options: ServeOptions | None = None
) -> FastAPI:
    """The ASGI app. Pass `runtime` to reuse one; otherwise the lifespan builds it from `settings`."""
    options = options or (runtime.options if runtime is not None else ServeOptions())
    # The simulator's routes must exist before the lifespan builds the rest.
    simulator: Simulator | None = None
    if options.sandbox:
        simulator = runtime.simulator if runtime is not None else make_simulator(settings, options)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        active = runtime if runtime is not None else build_runtime(settings, options, simulator=simulator)
        app.state.runtime = active
        if owned:
            active.start()
        autopilot = start_autopilot(app, active, sandbox=options.sandbox)
        try:
            yield
        finally:
            autopilot.close()
            if owned:
                active.close()

    app = FastAPI(
        title="marksix",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # Outermost last: the headers go on every answer, the 413 of the body limit included.
    app.add_middleware(BodyLimit, limits={webhook_routes.WEBHOOK_PATH: WEBHOOK_MAX_BYTES})
    app.add_middleware(SecurityHeaders)
    if runtime is not None:
        # Routes added below may be called before the lifespan in some test setups.
        app.state.runtime = runtime
    app.include_router(webhook_routes.router)
    app.include_router(health.router)
    app.include_router(record_page.router)  # public, no login
    if options.sandbox:
        app.include_router(hkjc_routes.router)
    if options.bench_routes:
        _add_bench_routes(app)
    _install_dashboard(app, runtime)
    if simulator is not None:
        # Last, so the app's own routes win: /simulated-graph/... and /sandbox/api/...
        app.router.routes.extend(simulator.routes)
    return app


def _add_bench_routes(app: FastAPI) -> None:
    @app.post("/bench/empty", include_in_schema=False)
    async def empty() -> JSONResponse:
        """The baseline for the webhook benchmark: the same server, no work."""
        return JSONResponse({"received": 0, "new": 0})


def _install_dashboard(app: FastAPI, runtime: Runtime | None) -> None:
    if find_spec("marksix.web.dashboard") is None:
        return
    from marksix.web.dashboard import install_dashboard

    install_dashboard(app, runtime)
