"""Publishing a finished article to a WordPress site through its REST API, with an application password.

    POST /wp-json/wp/v2/media   the cover's bytes, Content-Disposition naming the file -> media id
    POST /wp-json/wp/v2/posts   title, content (the article's HTML body), status, featured_media

Application passwords (WordPress 5.6+) are sent as HTTP Basic credentials,
over HTTPS only; the password is never printed. See the REST API handbook,
developer.wordpress.org/rest-api/reference/posts/ and .../media/. Only an
article whose report says it is finished may be published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from marksix.errors import (
    ApiError,
    InputError,
    NetworkError,
    PermanentApiError,
    RetryableApiError,
    TokenExpired,
)

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
_BODY = re.compile(r"<article>(.*)</article>", re.DOTALL)
_HEADLINE = re.compile(r"<h1>.*?</h1>\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class WordPressSite:
    base_url: str
    username: str
    application_password: str = field(repr=False)

    def __post_init__(self) -> None:
        local = re.match(r"http://(127\.0\.0\.1|localhost)(:\d+)?(/|$)", self.base_url)
        if not self.base_url.startswith("https://") and not local:
            raise InputError(
                "the WordPress site must be https:// (application passwords travel as Basic auth)"
            )


@dataclass(frozen=True, slots=True)
class Published:
    post_id: int
    link: str
    media_id: int | None


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise NetworkError(f"WordPress did not answer in time ({url})") from error
    except httpx.HTTPError as error:
        raise NetworkError(f"could not reach WordPress: {error}") from error
    if response.status_code in {401, 403}:
        raise TokenExpired(
            f"WordPress refused the application password (HTTP {response.status_code})",
            status=response.status_code,
        )
    if response.status_code >= 500:
        raise RetryableApiError(
            f"WordPress answered HTTP {response.status_code}", status=response.status_code
        )
    if response.status_code >= 400:
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = ""
        raise PermanentApiError(
            f"WordPress answered HTTP {response.status_code}: {message}".rstrip(": "),
            status=response.status_code,
        )
    try:
        answer = response.json()
    except ValueError:
        raise ApiError("WordPress answered with something that is not JSON") from None
    if not isinstance(answer, dict):
        raise ApiError("WordPress answered with an unexpected JSON value")
    return answer


def publish_article(
    site: WordPressSite,
    folder: Path,
    *,
    status: str = "draft",
    transport: httpx.BaseTransport | None = None,
) -> Published:
    """Upload the cover and create the post (a draft unless `status` says otherwise)."""
    if status not in {"draft", "publish", "pending", "private"}:
        raise InputError(f"unknown WordPress status {status!r}")
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        html = (folder / "article.html").read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise InputError(f"{folder} is not a finished article folder: {error}") from None
    if not report.get("finished"):
        raise InputError(f"{folder}: the article is not finished (see report.json); nothing published")
    title = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL)
    body = _BODY.search(html)
    if title is None or body is None:
        raise InputError(f"{folder}/article.html is not an article written by `marksix article write`")
    content = _HEADLINE.sub("", body.group(1), count=1).strip()
    api = site.base_url.rstrip("/") + "/wp-json/wp/v2"
    with httpx.Client(
        transport=transport, timeout=TIMEOUT, auth=(site.username, site.application_password)
    ) as client:
        media_id: int | None = None
        cover = folder / "cover.jpg"
        if cover.is_file():
            media = _call(
                client,
                "POST",
                f"{api}/media",
                content=cover.read_bytes(),
                headers={
                    "Content-Type": "image/jpeg",
                    "Content-Disposition": f'attachment; filename="{folder.name}.jpg"',
                },
            )
            media_id = int(media["id"])
        post: dict[str, Any] = {"title": title.group(1), "content": content, "status": status}
        if media_id is not None:
            post["featured_media"] = media_id
        created = _call(client, "POST", f"{api}/posts", json=post)
    return Published(post_id=int(created["id"]), link=str(created.get("link", "")), media_id=media_id)
