"""Webhook plumbing: the verification handshake, signatures and comment events.

Everything here is pure so the web route stays thin: it checks the signature
on the raw body, parses, stores and enqueues. Meta's documentation shows
several payload shapes for the same event (a `changes` array or a flat
`field`/`value`, `id` or `comment_id`); the parser accepts all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from marksix.errors import InputError

COMMENT_FIELDS = frozenset({"comments", "live_comments"})
SIGNATURE_HEADER = "X-Hub-Signature-256"
LEGACY_SIGNATURE_HEADER = "X-Hub-Signature"
TEST_ACCOUNT_ID = "0"  # the App Dashboard "Test" button delivers entry.id = "0"

# A number this large cannot be seconds since 1970 for millennia: it is milliseconds.
_MILLISECONDS_THRESHOLD = 100_000_000_000
# Past the year 9999 (in milliseconds) a time is junk, and would overflow a database integer.
_LATEST_TIME = 253_402_300_799_999
#: Instagram's own limit on a comment's length.
MAX_COMMENT_CHARS = 2_200
#: Graph IDs are 17-20 digits today; anything far longer is junk (one crashed the worker).
MAX_ID_CHARS = 64
#: Usernames are at most 30 characters on Instagram; ad titles and product types are short too.
MAX_NAME_CHARS = 200


def sign(raw_body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends for this exact body."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sign_sha1(raw_body: bytes, secret: str) -> str:
    """The legacy `X-Hub-Signature` value Meta still sends alongside."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha1).hexdigest()
    return f"sha1={digest}"


def verify_signature(raw_body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True when `header` is `sha256=<hex>` of the raw body under any of `secrets`.

    Several secrets are accepted because Instagram-Login apps have two (the
    Meta app secret and the Instagram app secret) and secrets get rotated.
    Every secret is tried, even after a match, so the time taken does not
    reveal which one matched.
    """
    if not header:
        return False
    scheme, _, received = header.strip().partition("=")
    if scheme.lower() != "sha256" or not received:
        return False
    received_bytes = received.strip().lower().encode()
    matched = False
    for secret in secrets:
        if not secret:
            continue
        expected = sign(raw_body, secret).partition("=")[2].encode()
        matched |= hmac.compare_digest(expected, received_bytes)
    return matched


def verification_response(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo as plain text, or None (answer 403).

    Accepts `hub_mode`-style names too: some proxies (and PHP) rewrite the dots.
    """

    def param(name: str) -> str | None:
        return params.get(f"hub.{name}") or params.get(f"hub_{name}")

    mode, token, challenge = param("mode"), param("verify_token"), param("challenge")
    if mode != "subscribe" or not challenge or not token or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


@dataclass(frozen=True)
class CommentEvent:
    """One comment (or live comment) from a webhook, with every ID as a string."""

    account_id: str
    comment_id: str
    media_id: str | None
    text: str
    from_id: str | None
    from_username: str | None
    parent_id: str | None
    field: str
    media_product_type: str | None
    timestamp: int | None  # when Meta sent the notification, in seconds
    self_ig_scoped_id: str | None = None
    ad_id: str | None = None
    ad_title: str | None = None
    original_media_id: str | None = None

    @property
    def key(self) -> str:
        """Idempotency key: one comment of one account, whatever the delivery."""
        return f"{self.account_id}:{self.comment_id}"

    @property
    def is_live(self) -> bool:
        return self.field == "live_comments" or self.media_product_type == "LIVE"

    @property
    def is_ad(self) -> bool:
        return self.ad_id is not None or self.media_product_type == "AD"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def is_dashboard_test(self) -> bool:
        return self.account_id == TEST_ACCOUNT_ID

    def is_own(
        self,
        account_ids: Collection[str] = (),
        usernames: Collection[str] = (),
        own_reply_ids: Collection[str] = (),
    ) -> bool:
        """True when the account wrote this comment itself (loop prevention).

        Meta's guard: `from.id == entry.id`, or `self_ig_scoped_id` present.
        Ours adds the account's other known IDs (Instagram Login's `/me` id can
        differ from entry.id), its username, and the IDs of replies we posted.
        """
        if self.self_ig_scoped_id:
            return True
        if self.from_id is not None and (self.from_id == self.account_id or self.from_id in account_ids):
            return True
        if self.from_username is not None:
            wanted = {name.lower().lstrip("@") for name in usernames}
            if self.from_username.lower() in wanted:
                return True
        return self.comment_id in own_reply_ids

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RejectedChange:
    """One change of a delivery that could not be read, and why (the rest still count)."""

    where: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass(frozen=True)
class WebhookBatch:
    """What one delivery holds: the comments that could be read, and the changes that could not."""

    events: list[CommentEvent]
    rejected: list[RejectedChange]


def parse_webhook(payload: Mapping[str, Any]) -> list[CommentEvent]:
    """Every comment event in a webhook body, in delivery order, or InputError for any bad part.

    The strict reading, for tools and tests; the web route uses
    `parse_webhook_batch`, where one bad change does not sink its neighbours.
    """
    batch = parse_webhook_batch(payload)
    if batch.rejected:
        first = batch.rejected[0]
        raise InputError(f"{first.where} {first.reason}")
    return batch.events


def parse_webhook_batch(payload: Mapping[str, Any]) -> WebhookBatch:
    """Every comment event in a webhook body, each change standing on its own.

    Other objects (pages, users) and other fields (messages, mentions) yield
    nothing. A body that is not shaped like a webhook at all raises
    InputError naming the problem, so the route can answer 400; an entry or
    change that is malformed is listed in `rejected` with its reason.
    """
    if not isinstance(payload, Mapping):
        raise InputError("webhook body must be a JSON object")
    kind = payload.get("object")
    if kind is not None and kind != "instagram":
        return WebhookBatch([], [])
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise InputError("webhook body has no 'entry' list")
    events: list[CommentEvent] = []
    rejected: list[RejectedChange] = []
    for index, entry in enumerate(entries):
        where = f"entry[{index}]"
        if not isinstance(entry, Mapping):
            rejected.append(RejectedChange(where, "is not an object"))
            continue
        account_id = _id_or_none(entry.get("id"))
        if account_id is None:
            rejected.append(RejectedChange(where, "has no 'id'"))
            continue
        timestamp = _seconds(entry.get("time"))
        for change_where, field, value in _changes(entry, index, rejected):
            if field not in COMMENT_FIELDS:
                continue
            try:
                events.append(_comment_event(account_id, str(field), value, timestamp, change_where))
            except _BadChange as problem:
                rejected.append(RejectedChange(change_where, str(problem)))
    return WebhookBatch(events, rejected)


class _BadChange(Exception):
    """One change cannot be read; its message is the reason."""


def _changes(
    entry: Mapping[str, Any], index: int, rejected: list[RejectedChange]
) -> Iterator[tuple[str, object, Any]]:
    """(location, field, value) for the `changes[]` wrapper and the flat variant."""
    changes = entry.get("changes")
    if changes is not None:
        if not isinstance(changes, list):
            rejected.append(RejectedChange(f"entry[{index}].changes", "is not a list"))
        else:
            for position, change in enumerate(changes):
                where = f"entry[{index}].changes[{position}]"
                if not isinstance(change, Mapping):
                    rejected.append(RejectedChange(where, "is not an object"))
                    continue
                yield where, change.get("field"), change.get("value")
    if "field" in entry:
        yield f"entry[{index}]", entry.get("field"), entry.get("value")


def _comment_event(
    account_id: str, field: str, value: Any, timestamp: int | None, where: str
) -> CommentEvent:
    if not isinstance(value, Mapping):
        raise _BadChange("value is not an object (is 'Include Values' enabled?)")
    comment_id = _id_or_none(value.get("id")) or _id_or_none(value.get("comment_id"))
    if comment_id is None:
        raise _BadChange("value has no comment 'id' (or one over 64 characters)")
    author = _mapping(value.get("from"))
    media = _mapping(value.get("media"))
    text = value.get("text")
    return CommentEvent(
        account_id=account_id,
        comment_id=comment_id,
        media_id=_id_or_none(media.get("id")),
        text=_clean(text)[:MAX_COMMENT_CHARS] if isinstance(text, str) else "",
        from_id=_id_or_none(author.get("id")),
        from_username=_str_or_none(author.get("username")),
        parent_id=_id_or_none(value.get("parent_id")),
        field=field,
        media_product_type=_str_or_none(media.get("media_product_type")),
        timestamp=timestamp,
        self_ig_scoped_id=_id_or_none(author.get("self_ig_scoped_id")),
        ad_id=_id_or_none(media.get("ad_id")),
        ad_title=_str_or_none(media.get("ad_title")),
        original_media_id=_id_or_none(media.get("original_media_id")),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _clean(text: str) -> str:
    """The text with lone surrogates (valid JSON, not valid UTF-8) and NUL replaced by U+FFFD.

    Neither can be stored: SQLite's driver refuses the first, PostgreSQL the second.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _id_or_none(value: object) -> str | None:
    """IDs arrive as numeric strings; tolerate bare numbers without losing digits.

    An ID that is too long, or not printable text, is no ID at all.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if value < 0 or value >= 10**MAX_ID_CHARS:
            return None
        return str(value)
    if isinstance(value, str) and len(value) <= MAX_ID_CHARS * 2:
        stripped = value.strip()
        if (
            stripped
            and len(stripped) <= MAX_ID_CHARS
            and stripped.isprintable()
            and _clean(stripped) == stripped
        ):
            return stripped
    return None


def _str_or_none(value: object) -> str | None:
    if isinstance(value, str) and value:
        return _clean(value)[:MAX_NAME_CHARS]
    return None


def _seconds(value: object) -> int | None:
    """entry.time in seconds; comments use seconds, messaging uses milliseconds."""
    if isinstance(value, bool):
        return None
    number: float
    if isinstance(value, int):
        if not 0 <= value <= _LATEST_TIME:
            return None
        number = value
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number) or not 0 <= number <= _LATEST_TIME:
        return None
    if number >= _MILLISECONDS_THRESHOLD:
        number /= 1000
    return int(number)
