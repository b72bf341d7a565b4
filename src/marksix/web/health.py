"""`/healthz` for people and load balancers, `/metrics` for Prometheus.

Health answers 503 when the database cannot be read, and while the reply
workers are still warming up after a start (`"ready": false`, status
"starting"), so a load balancer or a script waits until the first reply
will be quick. A blocked account is a problem for a person (its alert is
shown), not a reason for a load balancer to take the webhook endpoint away.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from marksix import __version__
from marksix.store.service_tables import WAITING_STATES
from marksix.web.runtime import Runtime, current_runtime

log = structlog.get_logger("marksix.web.health")

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    """Database, queue depth, worker, and each account's status and alert."""
    report = await run_in_threadpool(health_report, current_runtime(request))
    autopilot = getattr(request.app.state, "autopilot", None)
    if autopilot is not None:  # how far the archive is behind the draw calendar
        report["archive"] = (await run_in_threadpool(autopilot.staleness)).to_json()
    healthy = report["database"]["ok"] and report["ready"]
    return JSONResponse(report, status_code=200 if healthy else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text: pipeline counters and latency histogram, plus queue depth by state."""
    runtime = current_runtime(request)
    body = await run_in_threadpool(_scrape, runtime)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _scrape(runtime: Runtime) -> bytes:
    from marksix.worker import metrics

    # The counters of this process and of its worker child; the gauges read from the database.
    return metrics.scrape() + generate_latest(runtime.metrics_registry)


def health_report(runtime: Runtime) -> dict[str, Any]:
    report: dict[str, Any] = {
        "status": "ok",
        "ready": runtime.ready,
        "version": __version__,
        "mode": "sandbox" if runtime.sandbox else "instagram",
        "database": {"ok": True, "backend": runtime.engine.dialect.name},
        "queue": {"depth": None, "states": {}, "backend": type(runtime.huey).__name__},
        "worker": {"running": runtime.worker_running, "threads": runtime.options.worker_threads},
        "accounts": [],
        "alerts": [],
    }
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        states = runtime.comments.counts_by_state()
        accounts = runtime.accounts.all()
    except SQLAlchemyError as problem:
        log.error("health_database_failed", error=str(problem))
        report["status"] = "down"
        report["database"] = {"ok": False, "error": f"{type(problem).__name__}: {problem}"}
        report["alerts"].append("the database cannot be read")
        return report
    report["queue"]["states"] = {state: int(count) for state, count in states.items()}
    report["queue"]["depth"] = sum(int(states.get(state, 0)) for state in WAITING_STATES)
    for account in accounts:
        alert = account.alert  # a block's, or a policy back-off's while the account waits it out
        paused = account.pause_reason if account.paused_until is not None else None
        report["accounts"].append(
            {
                "id": account.id,
                "username": account.username,
                "status": account.status,
                "has_token": account.has_token,
                "alert": alert,
                "paused_until": account.paused_until.isoformat() if account.paused_until else None,
                "pause_reason": paused,
            }
        )
        if account.blocked:
            report["alerts"].append(f"@{account.username}: {account.alert or 'blocked'}")
        elif not account.has_token:
            report["alerts"].append(f"@{account.username}: no access token stored")
        elif account.alert:
            report["alerts"].append(f"@{account.username}: {account.alert}")
    if not accounts:
        report["alerts"].append("no Instagram account is connected")
    if runtime.options.worker_threads > 0 and not runtime.worker_running:
        report["alerts"].append("the reply worker is not running")
    if not report["ready"]:
        report["alerts"].append("the reply worker is warming up")
    if report["alerts"]:
        report["status"] = "degraded" if report["ready"] else "starting"
    return report
