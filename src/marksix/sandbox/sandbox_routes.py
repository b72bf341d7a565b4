"""The sandbox JSON API: act as Instagram users, inspect what the service did.

GET  /sandbox/api/account      {"id", "username", "media_id"}
POST /sandbox/api/accounts     {"username"} -> a further account with a token and one post
POST /sandbox/api/comments     {"username", "text"[, "media_id", "parent_id", "shape"]} -> {"id"}
GET  /sandbox/api/comments     every comment, oldest first
GET  /sandbox/api/replies      [{"comment_id", "reply_id", "text"}]
POST /sandbox/api/media        {"caption"[, "media_product_type", "ad_title"]} -> the new media
GET  /sandbox/api/media        the simulated account's posts, newest first:
                               [{"id", "caption", "image_url", "timestamp", "media_product_type"}]
GET  /sandbox/api/faults       injected faults still active
POST /sandbox/api/faults       {"kind", ...} (see faults.py) -> the fault
DELETE /sandbox/api/faults     clear them
POST /sandbox/api/webhooks/test  send the App Dashboard test sample
GET  /sandbox/api/deliveries   webhook deliveries and their attempts
GET  /sandbox/api/state        everything, for the sandbox page
POST /sandbox/api/reset        back to one account, one post, nothing else
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from marksix.errors import InputError, NotFound
from marksix.sandbox.faults import Fault
from marksix.sandbox.payloads import SHAPES, dashboard_test_change
from marksix.sandbox.state import iso_timestamp

if TYPE_CHECKING:
    from marksix.sandbox.app import Simulator

PREFIX = "/sandbox/api"
MEDIA_TYPES = ("FEED", "REELS", "STORY", "AD", "LIVE")


def sandbox_routes(simulator: Simulator) -> list[BaseRoute]:
    state = simulator.state

    async def account(request: Request) -> Response:
        own = state.account
        return JSONResponse(
            {"id": own.id, "username": own.username, "media_id": state.latest_media(own.id).id}
        )

    async def create_account(request: Request) -> Response:
        """Another professional account, as if its owner had connected it: a token and one post."""
        body = await _json(request)
        username = _required(body, "username").strip().lstrip("@")
        if state.users.get(username.lower()) in state.accounts:
            raise InputError(f"an account @{username} exists already")
        added = state.add_account(username, "IGAA" + secrets.token_urlsafe(24))
        media = state.add_media(added.id, f"@{username}：留言就有一組號碼同數據分析 (18+)")
        token = next(found for found in state.tokens.values() if found.account_id == added.id)
        return JSONResponse(
            {
                "id": added.id,
                "username": added.username,
                "access_token": token.value,
                "expires_at": token.expires_at,
                "media_id": media.id,
            },
            status_code=201,
        )

    async def create_comment(request: Request) -> Response:
        body = await _json(request)
        shape = body.get("shape")
        if shape is not None and shape not in SHAPES:
            raise InputError(f"shape must be one of {', '.join(SHAPES)}")
        comment = simulator.post_comment(
            _required(body, "username"),
            _required(body, "text"),
            media_id=_optional(body, "media_id"),
            parent_id=_optional(body, "parent_id"),
            shape=shape,
        )
        return JSONResponse({"id": comment.id}, status_code=201)

    async def list_comments(request: Request) -> Response:
        return JSONResponse(state.to_json()["comments"])

    async def replies(request: Request) -> Response:
        return JSONResponse(state.reply_records())

    async def create_media(request: Request) -> Response:
        body = await _json(request)
        kind = body.get("media_product_type", "FEED")
        if kind not in MEDIA_TYPES:
            raise InputError(f"media_product_type must be one of {', '.join(MEDIA_TYPES)}")
        caption = body.get("caption", "")
        if not isinstance(caption, str):
            raise InputError("caption must be text")
        media = state.add_media(
            state.account.id, caption, media_product_type=kind, ad_title=body.get("ad_title")
        )
        return JSONResponse(media.to_json(), status_code=201)

    async def list_media(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "id": media.id,
                    "caption": media.caption,
                    "image_url": media.image_url,
                    "timestamp": iso_timestamp(media.created_at),
                    "media_product_type": media.media_product_type,
                }
                for media in state.media_of(state.account.id)
            ]
        )

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            simulator.clear_faults()
        elif request.method == "POST":
            fault = simulator.add_fault(Fault.from_json(await _json(request)))
            return JSONResponse(fault.to_json(), status_code=201)
        return JSONResponse([fault.to_json() for fault in simulator.faults.list()])

    async def test_webhook(request: Request) -> Response:
        body = await _json(request, empty_ok=True)
        field = body.get("field", "comments")
        if field not in ("comments", "live_comments"):
            raise InputError("field must be comments or live_comments")
        accepted = simulator.sender.submit(dashboard_test_change(field))
        return JSONResponse({"queued": accepted}, status_code=202)

    async def verify(request: Request) -> Response:
        body = await _json(request)
        token = body.get("verify_token")
        if not isinstance(token, str):
            raise InputError("'verify_token' is required")
        # The webhook URL may be this very server: never block its event loop.
        return JSONResponse(await run_in_threadpool(simulator.verify_webhook, token))

    async def deliveries(request: Request) -> Response:
        return JSONResponse(simulator.sender.deliveries())

    async def snapshot(request: Request) -> Response:
        return JSONResponse(simulator.to_json())

    async def reset(request: Request) -> Response:
        simulator.reset()
        return JSONResponse({"reset": True})

    return [
        Route(f"{PREFIX}/account", _guard(account), methods=["GET"]),
        Route(f"{PREFIX}/accounts", _guard(create_account), methods=["POST"]),
        Route(f"{PREFIX}/comments", _guard(create_comment), methods=["POST"]),
        Route(f"{PREFIX}/comments", _guard(list_comments), methods=["GET"]),
        Route(f"{PREFIX}/replies", _guard(replies), methods=["GET"]),
        Route(f"{PREFIX}/media", _guard(create_media), methods=["POST"]),
        Route(f"{PREFIX}/media", _guard(list_media), methods=["GET"]),
        Route(f"{PREFIX}/faults", _guard(faults), methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/webhooks/test", _guard(test_webhook), methods=["POST"]),
        Route(f"{PREFIX}/webhooks/verify", _guard(verify), methods=["POST"]),
        Route(f"{PREFIX}/deliveries", _guard(deliveries), methods=["GET"]),
        Route(f"{PREFIX}/state", _guard(snapshot), methods=["GET"]),
        Route(f"{PREFIX}/reset", _guard(reset), methods=["POST"]),
    ]


def _guard(endpoint: Any) -> Any:
    """Our errors become JSON answers that name the problem."""

    async def guarded(request: Request) -> Response:
        try:
            response: Response = await endpoint(request)
        except NotFound as problem:
            return JSONResponse({"error": str(problem)}, status_code=404)
        except InputError as problem:
            return JSONResponse({"error": str(problem)}, status_code=400)
        return response

    return guarded


async def _json(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if empty_ok:
            return {}
        raise InputError("send a JSON object body")
    try:
        body = json.loads(raw)
    except ValueError as problem:
        raise InputError(f"the body is not valid JSON: {problem}") from None
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    return body


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name!r} is required and must be non-empty text")
    return value


def _optional(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(f"{name!r} must be an ID string")
    return value
