"""Publish a post to Instagram: the one flow the CLI, the dashboard, the
autopilot and the article studio share.

A post is anything `Publishable`: a JPEG, its caption and the name its file
is saved under (the draw-day card, `card.drawing.CardImage`; an article's
cover, `JpegPost`). The JPEG is saved under `<home>/media/cards/`, which
`marksix serve` serves at `<public_url>/media/cards/<file>`; Instagram
fetches it from there, so the public URL must be the server's public https
address. The Graph client checks the 24-hour publishing limit, creates the
container, polls it to FINISHED and publishes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from marksix.errors import ConfigError, InputError
from marksix.paths import Locator

#: Instagram's caption limit ("2,200 characters, 30 hashtags, and 20 @ tags"; IG User Media reference).
CAPTION_LIMIT = 2200
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Publisher(Protocol):
    def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str: ...


class Publishable(Protocol):
    """A post: its JPEG, its caption, and the name its file is saved and served under."""

    @property
    def caption(self) -> str: ...
    def jpeg_bytes(self) -> bytes: ...
    def file_name(self, now: dt.datetime) -> str:
        """A name that changes with each publish, so Instagram never fetches a stale image."""
        ...


@dataclass(frozen=True, slots=True)
class JpegPost:
    """A JPEG file as a post, with its caption (an article's cover)."""

    jpeg: bytes = field(repr=False)
    caption: str
    #: The start of the file name; the publish time is added to it.
    stem: str

    @classmethod
    def from_file(cls, path: Path, caption: str, stem: str) -> JpegPost:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read the image {path}: {error.strerror or error}") from None
        return cls(check_jpeg(data, str(path)), caption, stem)

    def jpeg_bytes(self) -> bytes:
        return self.jpeg

    def file_name(self, now: dt.datetime) -> str:
        stem = _SAFE_NAME.sub("-", self.stem).strip("-.") or "post"
        return f"{stem}-{now.strftime('%Y%m%dT%H%M%S')}.jpg"


@dataclass(frozen=True, slots=True)
class Published:
    media_id: str
    image_url: str
    file: Path

    def to_json(self) -> dict[str, Any]:
        return {"media_id": self.media_id, "image_url": self.image_url, "file": str(self.file)}


def check_jpeg(data: bytes, what: str) -> bytes:
    """`data` when it is a JPEG; otherwise a clear error naming `what` and what it is.

    Image posts take JPEG only (Content Publishing guide). A PNG is refused
    rather than converted: the file the operator sees (the dashboard's cover,
    the WordPress featured image) must be the very image Instagram posts.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return data
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "a PNG"
    elif not data:
        kind = "empty"
    else:
        kind = "not a JPEG"
    raise InputError(
        f"{what} is {kind}; Instagram publishes JPEG images only. Save it as a JPEG and try again."
    )


def check_caption(caption: str) -> str:
    if len(caption) > CAPTION_LIMIT:
        raise InputError(
            f"the caption is {len(caption):,} characters; Instagram takes at most {CAPTION_LIMIT:,}"
        )
    return caption


def publish_card(
    post: Publishable,
    client: Publisher,
    ig_user_id: str,
    *,
    home: Path,
    public_url: str,
    now: dt.datetime,
) -> Published:
    """Save the post's JPEG where the server serves it, then publish it on `ig_user_id`."""
    if not public_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"the public URL {public_url!r} must start with https:// (MARKSIX_PUBLIC_URL or --public-url)"
        )
    caption = check_caption(post.caption)
    name = post.file_name(now)
    data = check_jpeg(post.jpeg_bytes(), name)
    path = Locator.resolve(home).cards_folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    # Whole or not at all: Instagram may fetch the URL the moment it is published.
    partial = path.with_name(f".{name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
    image_url = f"{public_url.rstrip('/')}/media/cards/{name}"
    media_id = client.publish_image(ig_user_id, image_url, caption)
    return Published(media_id=media_id, image_url=image_url, file=path)
