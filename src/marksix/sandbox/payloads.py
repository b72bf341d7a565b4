"""Webhook bodies exactly as Meta builds them, including the documented variants.

`shape` picks the envelope: "changes" (real deliveries), "flat" (the
field/value directly in entry[], as on the Examples page) or "comment_id"
(the Facebook Login example's name for the comment ID).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marksix.sandbox.state import Comment, SimulatorState

SHAPES = ("changes", "flat", "comment_id")


@dataclass(frozen=True)
class Change:
    """One `comments`/`live_comments` update for one account."""

    account_id: str
    field: str
    value: dict[str, Any]
    comment_id: str


def change_for(state: SimulatorState, comment: Comment) -> Change:
    media = state.media[comment.media_id]
    owner = state.accounts[media.owner_id]
    author: dict[str, Any] = {"id": comment.from_id, "username": comment.username}
    if comment.by_account and comment.from_id == owner.id:
        author["self_ig_scoped_id"] = owner.app_scoped_id
    media_info: dict[str, Any] = {"id": media.id, "media_product_type": media.media_product_type}
    if media.ad_id is not None:
        media_info.update(ad_id=media.ad_id, ad_title=media.ad_title, original_media_id=media.id)
    value: dict[str, Any] = {"from": author, "media": media_info, "id": comment.id, "text": comment.text}
    if comment.parent_id is not None:
        value["parent_id"] = comment.parent_id
    field = "live_comments" if media.is_live else "comments"
    return Change(account_id=owner.id, field=field, value=value, comment_id=comment.id)


def dashboard_test_change(field: str = "comments") -> Change:
    """The App Dashboard "Test" sample: entry.id "0" and a self_ig_scoped_id."""
    value: dict[str, Any] = {
        "from": {"id": "232323232", "username": "test", "self_ig_scoped_id": "232323232"},
        "media": {"id": "123123123", "media_product_type": "LIVE" if field == "live_comments" else "FEED"},
        "id": "17865799348089039",
        "text": "This is an example.",
    }
    if field == "comments":
        value["parent_id"] = "1231231234"
    return Change(account_id="0", field=field, value=value, comment_id="17865799348089039")


def envelope(changes: Sequence[Change], sent_at: int, shape: str = "changes") -> dict[str, Any]:
    """The POST body: one entry per account holding its changes (or one per change when flat)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown webhook shape {shape!r}")
    entries: list[dict[str, Any]] = []
    if shape == "flat":
        for change in changes:
            entries.append(
                {"id": change.account_id, "time": sent_at, "field": change.field, "value": change.value}
            )
        return {"object": "instagram", "entry": entries}
    by_account: dict[str, dict[str, Any]] = {}
    for change in changes:
        value = change.value
        if shape == "comment_id":
            value = {("comment_id" if key == "id" else key): item for key, item in value.items()}
        entry = by_account.setdefault(
            change.account_id, {"id": change.account_id, "time": sent_at, "changes": []}
        )
        entry["changes"].append({"field": change.field, "value": value})
    entries.extend(by_account.values())
    return {"object": "instagram", "entry": entries}


def encode(body: dict[str, Any]) -> bytes:
    """Meta signs an escaped-unicode serialisation (`äöå` as `\\u00e4\\u00f6\\u00e5`)."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
