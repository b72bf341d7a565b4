"""The simulated Graph API: `/{version}/{id}[/{edge}]` like graph.instagram.com.

Parameters are read from the query string, a form body or JSON; the token
from `Authorization: Bearer` or `access_token`. Every answer carries usage
headers; injected faults and the rolling call budget decide when it fails.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from marksix.instagram.graph import appsecret_proof
from marksix.sandbox.conformance import (
    BASIC,
    COMMENTS,
    MESSAGES,
    PUBLISH,
    PUBLISH_LIMIT_PER_DAY,
    Token,
    check_refresh,
    expired_token,
    require_scope,
)
from marksix.sandbox.faults import (
    GRAPH_FAULTS,
    FaultBook,
    GraphFailure,
    bad_parameter,
    throttled,
    unknown_object,
)
from marksix.sandbox.fields import Fields, page, parse_fields, select
from marksix.sandbox.meter import UsageMeter
from marksix.sandbox.state import (
    Account,
    Comment,
    Container,
    Media,
    SimulatorState,
    iso_timestamp,
)

VERSION = re.compile(r"^v\d+\.\d+$")
ERROR_FAULTS = GRAPH_FAULTS - {"latency", "usage", "timeout", "response_lost"}
HANG_FAULTS = frozenset({"timeout", "response_lost"})
COMMENT_DEFAULT = ("id", "text", "timestamp")
MEDIA_DEFAULT = ("id",)
MAX_COMMENTS_PER_PAGE = 50


class GraphApi:
    def __init__(
        self,
        state: SimulatorState,
        faults: FaultBook,
        meter: UsageMeter,
        *,
        latency_ms: float = 20.0,
        app_secret: str | None = None,
        require_appsecret_proof: bool = False,
        closing: threading.Event | None = None,
    ) -> None:
        self.state = state
        self.faults = faults
        self.meter = meter
        self.latency_ms = latency_ms
        self.app_secret = app_secret
        self.require_appsecret_proof = require_appsecret_proof
        self.closing = closing or threading.Event()

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST", "DELETE"]
        return [
            Route("/refresh_access_token", self.refresh_token, methods=["GET"]),
            Route("/access_token", self.exchange_token, methods=["GET"]),
            Route("/{path:path}", self.dispatch, methods=methods),
        ]

    # --- entry points ------------------------------------------------------------
    async def dispatch(self, request: Request) -> Response:
        segments = [part for part in request.path_params["path"].split("/") if part]
        versioned = bool(segments) and VERSION.match(segments[0]) is not None
        if versioned:
            segments = segments[1:]
        if segments[-1:] in (["refresh_access_token"], ["access_token"]) and len(segments) == 1:
            handler = self.refresh_token if segments[0] == "refresh_access_token" else self.exchange_token
            return await handler(request)

        def route(account: Account, token: Token, params: dict[str, Any]) -> Any:
            # Every Graph reference page writes its paths as /<API_VERSION>/...; the client must
            # name one, so a version it drops is caught here and not on the real host.
            if not versioned:
                raise bad_parameter("An API version is required in the path, as in /v23.0/me")
            return self._route(request, account, token, segments, params)

        return await self._serve(request, route)

    async def refresh_token(self, request: Request) -> Response:
        def issue(account: Account, token: Token, params: dict[str, Any]) -> dict[str, Any]:
            if params.get("grant_type") != "ig_refresh_token":
                raise bad_parameter("grant_type must be ig_refresh_token")
            require_scope(token, BASIC)
            check_refresh(token, self.state.now())
            return self._new_token(account, token.scopes)

        return await self._serve(request, issue)

    async def exchange_token(self, request: Request) -> Response:
        def issue(account: Account, token: Token, params: dict[str, Any]) -> dict[str, Any]:
            if params.get("grant_type") not in ("ig_exchange_token", "fb_exchange_token"):
                raise bad_parameter("grant_type must be ig_exchange_token")
            # Access Token reference: the exchange is server-side and carries client_secret.
            secret = _text(params.get("client_secret")) or ""
            if self.app_secret and not hmac.compare_digest(secret, self.app_secret):
                raise GraphFailure(400, 101, "Error validating client secret.")
            return self._new_token(account, token.scopes)

        return await self._serve(request, issue)

    # --- the pipeline every call goes through -------------------------------------
    async def _serve(
        self, request: Request, action: Callable[[Account, Token, dict[str, Any]], Any]
    ) -> Response:
        method, path = request.method, request.url.path
        extra_ms = 0.0
        slow = self.faults.take(frozenset({"latency"}), method, path)
        if slow is not None:
            extra_ms = slow.latency_ms
        await self._hang((self.latency_ms + extra_ms) / 1000)
        account: Account | None = None
        regain = 0.0
        try:
            params = await _params(request)
            account, token = self._authenticate(request, params)
            fault = self.faults.take(ERROR_FAULTS | HANG_FAULTS, method, path, account.id)
            if fault is not None and fault.kind == "timeout":
                await self._hang(fault.seconds)
                return HTMLResponse("<html><body>504 Gateway Time-out</body></html>", 504)
            failure = fault.failure() if fault is not None else None
            if failure is not None:
                raise failure
            # Refused calls still count: "Continuing to make calls will continue to increase your call count".
            exhausted = self.meter.percent(account.id) >= 100
            self.meter.record(account.id)
            if exhausted:
                raise throttled(80002, self.meter.regain_access_minutes(account.id))
            result = action(account, token, params)
            if asyncio.iscoroutine(result):
                result = await result
            if fault is not None and fault.kind == "response_lost":
                # A client with a timeout gives up first; one without (in-process tests) gets a 504.
                await self._hang(fault.seconds)
                return HTMLResponse("<html><body>504 Gateway Time-out</body></html>", 504)
            return JSONResponse(result, headers=self._usage_headers(account, regain))
        except GraphFailure as failure:
            headers = {**self._usage_headers(account, failure.regain_access_minutes), **failure.headers}
            if failure.code == 0:  # a bare HTTP failure from in front of the API
                return HTMLResponse(f"<html><body>{failure.message}</body></html>", failure.status, headers)
            return JSONResponse(failure.body(), status_code=failure.status, headers=headers)

    def _usage_headers(self, account: Account | None, regain: float) -> dict[str, str]:
        return {} if account is None else self.meter.headers(account.id, regain)

    def _authenticate(self, request: Request, params: dict[str, Any]) -> tuple[Account, Token]:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        token = token or _text(params.pop("access_token", None))
        if not token:
            raise GraphFailure(400, 104, "An access token is required to request this resource.")
        known = self.state.token(token)
        account = None if known is None else self.state.accounts.get(known.account_id)
        if known is None or account is None:
            raise GraphFailure(
                400, 190, "Invalid OAuth access token - Cannot parse access token", subcode=467
            )
        if known.expired(self.state.now()):
            raise expired_token()
        if self.require_appsecret_proof and self.app_secret:
            proof = _text(params.pop("appsecret_proof", None)) or ""
            expected = appsecret_proof(token, self.app_secret)
            if not hmac.compare_digest(proof, expected):
                raise GraphFailure(400, 100, "Invalid appsecret_proof provided in the API argument")
        params.pop("appsecret_proof", None)
        return account, known

    async def _hang(self, seconds: float) -> None:
        """Wait without answering, but let a stopping server go at once."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closing.is_set():
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def _new_token(self, account: Account, scopes: frozenset[str]) -> dict[str, Any]:
        token = self.state.issue_token(account, scopes=scopes)
        lifetime = round(token.expires_at - token.issued_at)
        return {"access_token": token.value, "token_type": "bearer", "expires_in": lifetime}

    # --- routing -------------------------------------------------------------------
    def _route(
        self,
        request: Request,
        account: Account,
        token: Token,
        segments: list[str],
        params: dict[str, Any],
    ) -> Any:
        method = request.method
        if not segments:
            raise bad_parameter("Unknown path components")
        require_scope(token, _scope_for(method, segments))
        object_id = account.id if segments[0] == "me" else segments[0]
        fields = parse_fields(_text(params.get("fields")))
        if len(segments) == 1:
            if segments[0] == "me" and method == "GET":
                return select(self._account_json(account, me=True), fields, ("id",))
            return self._node(method, account, object_id, fields, params)
        if len(segments) != 2:
            raise bad_parameter("Unknown path components: /" + "/".join(segments[2:]))
        edge = segments[1]
        if object_id in self.state.accounts:
            if object_id != account.id:
                raise unknown_object(object_id, method.lower())
            return self._account_edge(request, account, edge, fields, params)
        return self._object_edge(request, account, (object_id, edge), fields, params)

    def _node(
        self, method: str, account: Account, object_id: str, fields: Fields, params: dict[str, Any]
    ) -> Any:
        found = self.state.find(object_id)
        if found is None:
            raise unknown_object(object_id, method.lower())
        if method == "GET":
            return self._render(found, fields)
        if isinstance(found, Comment) and method == "DELETE":
            self.state.delete(account, object_id)
            return {"success": True}
        if isinstance(found, Comment) and method == "POST" and "hide" in params:
            self.state.hide(account, object_id, _flag(params["hide"], "hide"))
            return {"success": True}
        if isinstance(found, Media) and method == "POST" and "comment_enabled" in params:
            self.state.set_comment_enabled(
                account, object_id, _flag(params["comment_enabled"], "comment_enabled")
            )
            return {"success": True}
        raise unknown_object(object_id, method.lower())

    def _account_edge(
        self, request: Request, account: Account, edge: str, fields: Fields, params: dict[str, Any]
    ) -> Any:
        method = request.method
        if edge == "media" and method == "GET":
            media = self.state.media_of(account.id)
            return self._page(
                request, media, lambda item: select(self._media_json(item), fields, MEDIA_DEFAULT)
            )
        if edge == "media" and method == "POST":
            caption = _text(params.get("caption")) or ""
            image_url = _text(params.get("image_url")) or ""

            async def create() -> dict[str, str]:
                # The image is fetched from its URL, which may be this very server: off the loop.
                container = await asyncio.to_thread(self.state.create_container, account, image_url, caption)
                return {"id": container.id}

            return create()
        if edge == "content_publishing_limit" and method == "GET":
            usage = self.state.publishing_usage(account)
            config = {"quota_total": PUBLISH_LIMIT_PER_DAY, "quota_duration": 86400}
            return {"data": [{"quota_usage": usage, "config": config}]}
        if edge == "media_publish" and method == "POST":
            return {"id": self.state.publish(account, _text(params.get("creation_id")) or "").id}
        if edge == "messages" and method == "POST":
            recipient, message = _mapping(params.get("recipient")), _mapping(params.get("message"))
            comment_id = _text(recipient.get("comment_id"))
            if not comment_id:
                raise bad_parameter("recipient.comment_id is required for a private reply")
            sent = self.state.private_reply(account, comment_id, _text(message.get("text")) or "")
            return {"recipient_id": sent.recipient_id, "message_id": sent.message_id}
        if edge == "subscribed_apps" and method == "POST":
            wanted = _text(params.get("subscribed_fields")) or ""
            self.state.subscribe(account.id, [name.strip() for name in wanted.split(",")])
            return {"success": True}
        if edge == "subscribed_apps" and method == "DELETE":
            account.subscribed_fields = []
            return {"success": True}
        if edge == "subscribed_apps" and method == "GET":
            return (
                {"data": [{"subscribed_fields": account.subscribed_fields}]}
                if account.subscribed_fields
                else {"data": []}
            )
        raise bad_parameter(f"Tried accessing nonexisting field ({edge}) on node type (IGUser)")

    def _object_edge(
        self,
        request: Request,
        account: Account,
        target: tuple[str, str],
        fields: Fields,
        params: dict[str, Any],
    ) -> Any:
        object_id, edge = target
        method = request.method
        found = self.state.find(object_id)
        if found is None:
            raise unknown_object(object_id, method.lower())
        if isinstance(found, Comment) and edge == "replies":
            if method == "POST":
                return {"id": self.state.reply(account, object_id, _text(params.get("message")) or "").id}
            replies = self.state.replies_of(object_id)
            return self._page(
                request, replies, lambda item: select(self._comment_json(item), fields, COMMENT_DEFAULT)
            )
        if isinstance(found, Media) and edge == "comments":
            if method == "POST":
                return {
                    "id": self.state.comment_on_media(
                        account, object_id, _text(params.get("message")) or ""
                    ).id
                }
            comments = self.state.top_level_comments(object_id)
            return self._page(
                request,
                comments,
                lambda item: select(self._comment_json(item), fields, COMMENT_DEFAULT),
                cap=MAX_COMMENTS_PER_PAGE,
            )
        raise bad_parameter(
            f"Tried accessing nonexisting field ({edge}) on node type ({type(found).__name__})"
        )

    # --- rendering -----------------------------------------------------------------
    def _page(
        self, request: Request, items: list[Any], render: Callable[[Any], dict[str, Any]], *, cap: int = 100
    ) -> dict[str, Any]:
        raw_limit = request.query_params.get("limit", "25")
        try:
            limit = max(1, min(int(raw_limit), cap))
        except ValueError:
            raise bad_parameter(f"limit must be a number, not {raw_limit!r}") from None

        def next_url(cursor: str) -> str:
            return str(
                request.url.remove_query_params("after").include_query_params(after=cursor, limit=limit)
            )

        return page(items, render, limit=limit, after=request.query_params.get("after"), next_url=next_url)

    def _render(self, found: Account | Media | Comment | Container, fields: Fields) -> dict[str, Any]:
        if isinstance(found, Comment):
            return select(self._comment_json(found), fields, COMMENT_DEFAULT)
        if isinstance(found, Media):
            return select(self._media_json(found), fields, MEDIA_DEFAULT)
        if isinstance(found, Container):
            code = self.state.container_status(found)
            status = {"id": found.id, "status_code": code, "status": code}
            return select(status, fields, ("id",))
        return select(self._account_json(found), fields, ("id",))

    def _comment_json(self, comment: Comment) -> dict[str, Any]:
        media = self.state.media[comment.media_id]
        data: dict[str, Any] = {
            "id": comment.id,
            "text": comment.text,
            "timestamp": iso_timestamp(comment.created_at),
            "username": comment.username,
            "from": {"id": comment.from_id, "username": comment.username},
            "hidden": comment.hidden,
            "like_count": comment.like_count,
            "legacy_instagram_comment_id": comment.id,
            "media": {"id": media.id, "media_product_type": media.media_product_type},
            "parent_id": comment.parent_id,
            # "Only returned if the app user created the IG Comment".
            "user": {"id": comment.from_id} if comment.by_account else None,
        }
        if comment.parent_id is None:
            data["replies"] = lambda sub: {
                "data": [
                    select(self._comment_json(reply), sub or {}, COMMENT_DEFAULT)
                    for reply in self.state.replies_of(comment.id)
                ]
            }
        return data

    def _media_json(self, media: Media) -> dict[str, Any]:
        owner = self.state.accounts[media.owner_id]
        return {
            "id": media.id,
            "caption": media.caption,
            "media_type": media.media_type,
            "media_product_type": media.media_product_type,
            "media_url": media.image_url,
            "permalink": f"https://www.instagram.com/p/{media.id}/",
            "timestamp": iso_timestamp(media.created_at),
            "username": owner.username,
            "owner": {"id": owner.id},
            "comments_count": len(self.state.top_level_comments(media.id)),
            "like_count": 0,
            "comment_enabled": media.comment_enabled,
            "comments": lambda sub: {
                "data": [
                    select(self._comment_json(c), sub or {}, COMMENT_DEFAULT)
                    for c in self.state.top_level_comments(media.id)
                ]
            },
        }

    def _account_json(self, account: Account, *, me: bool = False) -> dict[str, Any]:
        return {
            "id": account.app_scoped_id if me else account.id,
            "user_id": account.id,
            "username": account.username,
            "name": account.username,
            "account_type": "BUSINESS",
            "media_count": len(self.state.media_of(account.id)),
        }


def _scope_for(method: str, segments: list[str]) -> str:
    """The permission each call demands (each endpoint's reference page, "Permissions")."""
    edge = segments[1] if len(segments) > 1 else None
    if edge == "messages":
        return MESSAGES
    if edge in ("media_publish", "content_publishing_limit") or (edge == "media" and method == "POST"):
        return PUBLISH
    if edge in ("replies", "comments") or (edge is None and method in ("POST", "DELETE")):
        return COMMENTS
    return BASIC


async def _params(request: Request) -> dict[str, Any]:
    """Query, then form or JSON body: Graph accepts parameters in all three."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "DELETE"):
        if content_type.startswith("application/json"):
            raw = await request.body()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_parameter("The request body is not valid JSON") from None
                if not isinstance(body, dict):
                    raise bad_parameter("The request body must be a JSON object")
                params.update(body)
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            async with request.form() as form:
                params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    """Nested parameters arrive as objects in JSON, or as JSON text in a form."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad_parameter(f"Expected a JSON object, got {value[:40]!r}") from None
    return value if isinstance(value, Mapping) else {}


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_parameter(f"{name} must be true or false")
