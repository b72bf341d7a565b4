"""A thin, synchronous Graph API client for comment replies and moderation.

It speaks to graph.instagram.com (Instagram Login) or graph.facebook.com
(Facebook Login); the simulator is swapped in through `base_url` and tests
inject an httpx transport. The token travels in the Authorization header
and is blanked out of every error message. Failed calls raise the ApiError
subclass that `errors.classify` picks; a call that got no answer raises
NetworkError, and for a POST that means the outcome is unknown: look for
our own reply before trying again.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from marksix.errors import ApiError, NetworkError, PermanentApiError, RateLimited, RetryableApiError
from marksix.instagram.errors import classify, redact
from marksix.instagram.usage import EMPTY_USAGE, Usage, parse_usage

DEFAULT_HOST = "graph.instagram.com"
DEFAULT_API_VERSION = "v23.0"
COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id,hidden,like_count,media{id,media_product_type}"
REPLY_FIELDS = "id,text,timestamp,username,from,parent_id"
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,timestamp,comments_count"
MAX_PAGES = 20


class GraphClient:
    """Replies, private replies, reads, hiding and image publishing for one token.

    >>> client = GraphClient("TOKEN", base_url="http://127.0.0.1:8000/simulated-graph")
    >>> reply_id = client.reply("17870913679156914", "多謝留言！")  # doctest: +SKIP
    """

    def __init__(
        self,
        access_token: str,
        *,
        host: str = DEFAULT_HOST,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        app_secret: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise ValueError("an access token is required")
        root = (base_url or (host if "://" in host else f"https://{host}")).rstrip("/")
        self.api_version = api_version.strip("/")
        self.base_url = f"{root}/{self.api_version}"
        self._token = access_token
        self._app_secret = app_secret
        self._sleep = sleep
        self._usage = EMPTY_USAGE
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )

    # --- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphClient(base_url={self.base_url!r})"

    @property
    def usage(self) -> Usage:
        """Usage headers of the most recent response that carried them."""
        return self._usage

    # --- comments --------------------------------------------------------------
    def reply(self, comment_id: str, message: str) -> str:
        """Post a public reply under a comment; returns the new comment's ID."""
        return _id(self._call("POST", f"{comment_id}/replies", data={"message": message}))

    def private_reply(self, ig_user_id: str, comment_id: str, message: str) -> str:
        """Send the one allowed DM to a commenter (within 7 days); returns the message ID."""
        body = {"recipient": {"comment_id": comment_id}, "message": {"text": message}}
        result = self._call("POST", f"{ig_user_id}/messages", json=body)
        message_id = result.get("message_id")
        if not isinstance(message_id, str):
            raise PermanentApiError("Graph answered a private reply without a message_id")
        return message_id

    def get_comment(self, comment_id: str, fields: str = COMMENT_FIELDS) -> dict[str, Any]:
        return self._call("GET", comment_id, params={"fields": fields})

    def list_replies(self, comment_id: str, fields: str = REPLY_FIELDS) -> list[dict[str, Any]]:
        """Every reply under a comment, following the cursors."""
        return self._paged(f"{comment_id}/replies", {"fields": fields}, max_pages=MAX_PAGES)

    def list_comments(
        self, media_id: str, limit: int = 50, *, fields: str = COMMENT_FIELDS, max_pages: int = 1
    ) -> list[dict[str, Any]]:
        """Top-level comments of a media, newest first (Graph returns at most 50 a page)."""
        params = {"fields": fields, "limit": str(min(limit, 50))}
        return self._paged(f"{media_id}/comments", params, max_pages=max_pages)[:limit]

    def list_media(
        self, ig_user_id: str, limit: int = 10, *, fields: str = MEDIA_FIELDS
    ) -> list[dict[str, Any]]:
        """The account's most recent media, newest first."""
        return self._paged(f"{ig_user_id}/media", {"fields": fields, "limit": str(limit)}, max_pages=1)[
            :limit
        ]

    def hide(self, comment_id: str, hidden: bool = True) -> None:
        self._call("POST", comment_id, data={"hide": "true" if hidden else "false"})

    def delete_comment(self, comment_id: str) -> None:
        self._call("DELETE", comment_id)

    # --- account ---------------------------------------------------------------
    def me(self, fields: str = "user_id,username") -> dict[str, Any]:
        """The token's account. With Instagram Login, `user_id` is the webhook entry.id."""
        return self._call("GET", "me", params={"fields": fields})

    def subscribe(self, ig_user_id: str, fields: tuple[str, ...] = ("comments", "live_comments")) -> bool:
        """Enable webhooks for this account; without it no comment ever arrives."""
        result = self._call(
            "POST", f"{ig_user_id}/subscribed_apps", data={"subscribed_fields": ",".join(fields)}
        )
        return result.get("success") is True

    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]:
        return self._paged(f"{ig_user_id}/subscribed_apps", {}, max_pages=1)

    def refresh_access_token(self) -> dict[str, Any]:
        """A fresh 60-day Instagram Login token: {"access_token","token_type","expires_in"}."""
        root = self.base_url.rsplit("/", 1)[0]
        return self._call("GET", f"{root}/refresh_access_token", params={"grant_type": "ig_refresh_token"})

    # --- publishing ------------------------------------------------------------
    def publishing_limit(self, ig_user_id: str) -> tuple[int, int]:
        """(posts published in the last 24 hours, the allowed number): content_publishing_limit."""
        answer = self._call(
            "GET", f"{ig_user_id}/content_publishing_limit", params={"fields": "quota_usage,config"}
        )
        data = answer.get("data")
        entry = data[0] if isinstance(data, list) and data and isinstance(data[0], Mapping) else {}
        raw_config = entry.get("config")
        config: Mapping[str, Any] = raw_config if isinstance(raw_config, Mapping) else {}
        usage, total = entry.get("quota_usage", 0), config.get("quota_total", 100)
        return (int(usage) if isinstance(usage, int) else 0, int(total) if isinstance(total, int) else 100)

    def publish_image(
        self, ig_user_id: str, image_url: str, caption: str, *, wait_seconds: float = 60.0
    ) -> str:
        """Check the 24-hour limit, create an image container, wait until it is FINISHED, publish it.

        Returns the media ID. The image must be a JPEG that Meta can fetch from `image_url`.
        """
        used, allowed = self.publishing_limit(ig_user_id)
        if used >= allowed:
            raise RateLimited(
                f"the account has published {used} of its {allowed} posts in the last 24 hours; try later",
                code=9,
            )
        container = _id(
            self._call("POST", f"{ig_user_id}/media", data={"image_url": image_url, "caption": caption})
        )
        self._wait_for_container(container, wait_seconds)
        return _id(self._call("POST", f"{ig_user_id}/media_publish", data={"creation_id": container}))

    def _wait_for_container(self, container_id: str, wait_seconds: float) -> None:
        """Poll status_code until FINISHED. ERROR and EXPIRED are final; a missing status is not ready.

        https://developers.facebook.com/docs/instagram-platform/content-publishing/ (troubleshooting:
        IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED)
        """
        waited = 0.0
        delay = 0.5
        while True:
            status = self._call("GET", container_id, params={"fields": "status_code"}).get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PermanentApiError(f"media container {container_id} is {status}")
            # Counted in slept seconds, not wall time, so an injected sleep drives it in tests.
            waited += delay
            if waited > wait_seconds:
                raise RetryableApiError(
                    f"media container {container_id} still {status} after {wait_seconds:g}s"
                )
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    # --- transport -------------------------------------------------------------
    def _paged(self, path: str, params: Mapping[str, str], *, max_pages: int) -> list[dict[str, Any]]:
        """Items of up to `max_pages` pages; the last page is the one without `next`."""
        items: list[dict[str, Any]] = []
        url, query = path, dict(params)
        for _ in range(max_pages):
            page = self._call("GET", url, params=query)
            data = page.get("data")
            if isinstance(data, list):
                items.extend(item for item in data if isinstance(item, dict))
            paging = page.get("paging")
            next_url = paging.get("next") if isinstance(paging, Mapping) else None
            if not isinstance(next_url, str) or not next_url:
                break
            # The next link carries every parameter, the token too: drop it, the header has it.
            url, query = str(httpx.URL(next_url).copy_remove_param("access_token")), {}
        return items

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        query = dict(params or {})
        if self._app_secret:
            query["appsecret_proof"] = appsecret_proof(self._token, self._app_secret)
        label = f"{method} {httpx.URL(url).path}"
        try:
            response = self._http.request(method, url, params=query or None, data=data, json=json)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"{label}: timed out ({type(exc).__name__}); the outcome is unknown") from None
        except httpx.TransportError as exc:
            message = redact(
                f"{label}: no answer ({type(exc).__name__}: {exc})", self._token, self._app_secret
            )
            raise NetworkError(message) from None
        secrets = tuple(secret for secret in (self._token, self._app_secret) if secret)
        usage = parse_usage(response.headers)
        if usage.app or usage.business:
            self._usage = usage
        if response.status_code >= 400:
            raise classify(
                response.status_code,
                response.content,
                response.headers,
                secrets=secrets,
            )
        try:
            result = response.json()
        except ValueError:
            raise RetryableApiError(f"{label}: answer is not JSON", status=response.status_code) from None
        if isinstance(result, dict) and isinstance(result.get("error"), dict):
            raise classify(response.status_code, result, response.headers, secrets=secrets)
        if not isinstance(result, dict):
            raise RetryableApiError(f"{label}: answer is not a JSON object", status=response.status_code)
        return result


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed by the app secret (for "Require App Secret")."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def _id(result: Mapping[str, Any]) -> str:
    value = result.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise PermanentApiError("Graph answered without an id")
    return value


__all__ = ["ApiError", "GraphClient", "appsecret_proof"]
