"""The Instagram webhook: the handshake, then validate, store, enqueue, answer.

No Graph API call happens here. Meta wants a 200 within seconds and retries
anything else for hours, so the request does the least work that makes the
comment durable (its row, stored queued, committed with whatever other
deliveries arrived meanwhile: `delivery_writer`) and the worker does the rest.
"""

from __future__ import annotations

import json

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from marksix.errors import InputError
from marksix.instagram.webhooks import (
    CommentEvent,
    parse_webhook_batch,
    verification_response,
    verify_signature,
)
from marksix.web.delivery_log import DeliveryLog
from marksix.web.delivery_writer import DeliveryWriter
from marksix.web.runtime import Runtime, current_runtime

log = structlog.get_logger("marksix.web.webhooks")

router = APIRouter()

WEBHOOK_PATH = "/webhooks/instagram"


@router.get(WEBHOOK_PATH, include_in_schema=False)
async def verify_subscription(request: Request) -> Response:
    """Meta's subscription handshake: echo hub.challenge when the token matches."""
    runtime = current_runtime(request)
    challenge = verification_response(
        dict(request.query_params), runtime.settings.verify_token.get_secret_value()
    )
    if challenge is None:
        log.warning("webhook.verify_rejected", mode=request.query_params.get("hub.mode"))
        return PlainTextResponse("verify token does not match", status_code=403)
    log.info("webhook.verified")
    return PlainTextResponse(challenge)


@router.post(WEBHOOK_PATH, include_in_schema=False)
async def receive_notification(request: Request) -> Response:
    """Check the signature over the raw bytes, store each comment, queue it, answer."""
    runtime = current_runtime(request)
    raw_body = await request.body()
    signature = request.headers.get("x-hub-signature-256")
    if not verify_signature(raw_body, signature, runtime.settings.app_secrets):
        log.warning(
            "webhook.bad_signature",
            reason="missing" if not signature else "mismatch",
            client=request.client.host if request.client else None,
            length=len(raw_body),
        )
        return JSONResponse({"error": "bad or missing X-Hub-Signature-256"}, status_code=403)
    try:
        batch = parse_webhook_batch(json.loads(raw_body))
    except (ValueError, RecursionError, InputError) as problem:
        # Signed but unreadable as a whole: say why; Meta will retry and the log shows it.
        reason = "nested too deeply" if isinstance(problem, RecursionError) else str(problem)
        log.warning("webhook.malformed", error=reason[:300], length=len(raw_body))
        return JSONResponse({"error": f"malformed webhook body: {reason[:300]}"}, status_code=400)
    for bad in batch.rejected:
        # Recorded and acknowledged: a retry of the same body would fail the same way.
        log.warning("webhook.change_rejected", where=bad.where, reason=bad.reason)
    events = batch.events
    try:
        new = await _store(request, runtime, events) if events else 0
    except Exception as problem:
        # The database or the queue is down (a restart, a failover). What was stored stays
        # stored, and storing is idempotent, so Meta's redelivery of this body finishes it.
        log.error("webhook.store_unavailable", error=str(problem)[:300], events=len(events))
        return JSONResponse(
            {"error": "storage is unavailable for a moment; deliver again"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    _delivery_log(request).note(events=len(events), new=new, rejected=len(batch.rejected))
    answer: dict[str, object] = {"received": len(events), "new": new}
    if batch.rejected:
        answer["rejected"] = [bad.to_json() for bad in batch.rejected[:100]]
    return JSONResponse(answer)


def _delivery_log(request: Request) -> DeliveryLog:
    found: DeliveryLog | None = getattr(request.app.state, "delivery_log", None)
    if found is None:
        found = request.app.state.delivery_log = DeliveryLog()
    return found


#: Comments per turn at the writer: a huge delivery goes in chunks, so a small one
#: waiting behind it is acknowledged within a chunk's time.
STORE_CHUNK = 50


async def _store(request: Request, runtime: Runtime, events: list[CommentEvent]) -> int:
    """Store through the app's group-commit writer (one per app, made on first use).

    With SQLite one group is written at a time, on the event loop when the
    database is free: the writes take turns anyway. PostgreSQL takes a few
    at once, each on its own connection, in threads.
    """
    writer: DeliveryWriter | None = getattr(request.app.state, "delivery_writer", None)
    if writer is None:
        if runtime.engine.dialect.name == "sqlite":
            writer = DeliveryWriter(
                runtime.accept_deliveries,
                store_now=runtime.accept_deliveries_now,
                writers=1,
            )
        else:
            writer = DeliveryWriter(runtime.accept_deliveries, writers=4)
        request.app.state.delivery_writer = writer
    new = 0
    for start in range(0, len(events), STORE_CHUNK):
        new += await writer.write(events[start : start + STORE_CHUNK])
    return new
