"""Graph's `fields=` selection (with `edge{sub,fields}` expansion) and cursor paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from marksix.sandbox.faults import bad_parameter

Fields = dict[str, "Fields | None"]


def parse_fields(spec: str | None) -> Fields:
    """`id,text,media{id,media_product_type}` → {"id": None, "text": None, "media": {...}}."""
    result: Fields = {}
    if not spec:
        return result
    depth, start = 0, 0
    parts: list[str] = []
    for index, char in enumerate(spec):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise bad_parameter(f"Syntax error in fields: {spec!r}")
        elif char == "," and depth == 0:
            parts.append(spec[start:index])
            start = index + 1
    if depth != 0:
        raise bad_parameter(f"Syntax error in fields: {spec!r}")
    parts.append(spec[start:])
    for part in (part.strip() for part in parts):
        if not part:
            continue
        name, brace, rest = part.partition("{")
        name = name.strip()
        # Modifiers such as `.limit(5)` are accepted and ignored.
        name = name.split(".", 1)[0]
        result[name] = parse_fields(rest[:-1]) if brace else None
    return result


def select(full: dict[str, Any], fields: Fields, default: Sequence[str]) -> dict[str, Any]:
    """The requested fields of one object; unknown names are Graph's code 100."""
    wanted = fields or dict.fromkeys(default)
    chosen: dict[str, Any] = {}
    for name, sub in wanted.items():
        if name not in full:
            raise bad_parameter(f"Tried accessing nonexisting field ({name}) on node type")
        value = full[name]
        if callable(value):
            value = value(sub)
        elif sub and isinstance(value, dict):
            value = {key: item for key, item in value.items() if key in sub}
        if value is not None:
            chosen[name] = value
    chosen.setdefault("id", full.get("id"))
    return chosen


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "offset":
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_parameter("The After Cursor specified is invalid") from None


def page(
    items: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    limit: int,
    after: str | None,
    next_url: Callable[[str], str],
) -> dict[str, Any]:
    """`{"data": [...], "paging": {"cursors": {...}, "next": ...}}`; no `next` on the last page."""
    start = decode_cursor(after) if after else 0
    if start > len(items):
        raise bad_parameter("The After Cursor specified exceeds the max limit supported by this endpoint")
    chunk = items[start : start + limit]
    result: dict[str, Any] = {"data": [render(item) for item in chunk]}
    if chunk:
        after_cursor = encode_cursor(start + len(chunk))
        paging: dict[str, Any] = {"cursors": {"before": encode_cursor(start), "after": after_cursor}}
        if start + len(chunk) < len(items):
            paging["next"] = next_url(after_cursor)
        result["paging"] = paging
    return result
