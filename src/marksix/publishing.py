"""Publish the post card: the one flow the CLI and the dashboard share.

The JPEG is saved under `<home>/media/cards/`, which `marksix serve` serves
at `<public_url>/media/cards/<file>`; Instagram fetches it from there, so the
public URL must be the server's public https address. The Graph client
checks the 24-hour publishing limit, creates the container, polls it to
FINISHED and publishes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from marksix.card import CardImage, card_file_name
from marksix.errors import ConfigError


class Publisher(Protocol):
    def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Published:
    media_id: str
    image_url: str
    file: Path

    def to_json(self) -> dict[str, Any]:
        return {"media_id": self.media_id, "image_url": self.image_url, "file": str(self.file)}


def cards_folder(home: Path) -> Path:
    return home / "media" / "cards"


def publish_card(
    card: CardImage,
    client: Publisher,
    ig_user_id: str,
    *,
    home: Path,
    public_url: str,
    now: dt.datetime,
) -> Published:
    """Save the card as a JPEG where the server serves it, then publish it on `ig_user_id`."""
    if card.content is None:
        raise ConfigError("this card was rendered without its content; render it again")
    if not public_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"the public URL {public_url!r} must start with https:// (MARKSIX_PUBLIC_URL or --public-url)"
        )
    name = card_file_name(card.content.next_draw, now)
    path = cards_folder(home) / name
    card.save(path)
    image_url = f"{public_url.rstrip('/')}/media/cards/{name}"
    media_id = client.publish_image(ig_user_id, image_url, card.caption)
    return Published(media_id=media_id, image_url=image_url, file=path)
