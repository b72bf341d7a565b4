"""ASGI guards every response passes through: body size limits and security headers.

The limits are enforced while the body is read, before any route (or the
webhook's signature check) sees it, so an unsigned 300 MB post costs at most
the limit in memory. Security headers go on every response, JSON and errors
included, not only on the dashboard's HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: A delivery from Meta holds at most 1,000 changes of at most 2,200 characters each.
WEBHOOK_MAX_BYTES = 8 * 1024 * 1024
#: Forms, the sandbox API and draw imports: far more than any of them needs.
DEFAULT_MAX_BYTES = 1024 * 1024

#: Everything comes from this server (no CDN, no inline script), so the policy can be strict:
#: an injected <script> would not run, and no other site may frame any page.
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class BodyLimit:
    """Answer 413 to a body over its path's limit, reading no more of it than the limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int = DEFAULT_MAX_BYTES,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits or {})

    def limit_for(self, path: str) -> int:
        return self.limits.get(path, self.default_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        # Read the whole body here, bounded, then replay it: routes keep their usual API.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: let the app see it as it would have.
                replayed = message
                await self.app(scope, _replay([], replayed, receive), send)
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None, receive), send)


def _replay(chunks: list[bytes], last: Message | None, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if last is not None:
        pending = [last]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"error": "request body over the {limit:,}-byte limit"}}'.encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *_header_pairs({}),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header_pairs(present: Mapping[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode(), value.encode())
        for name, value in SECURITY_HEADERS.items()
        if name.lower().encode() not in present
    ]


class SecurityHeaders:
    """Add the security headers to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower(): value for name, value in headers}
                message = {**message, "headers": headers + _header_pairs(present)}
            await send(message)

        await self.app(scope, receive, send_with_headers)
