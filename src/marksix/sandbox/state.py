"""The simulated Instagram: accounts, media, comments, replies and DMs.

Operations enforce the documented rules (replies attach to the top-level
comment, no reply to hidden or live comments, one private reply per comment
within 7 days, code 100 for unknown objects) and raise GraphFailure the way
the Graph API answers. Every new comment is handed to `on_comment`, which
the simulator wires to the webhook sender. Thread-safe: the Graph routes,
the sandbox API and tests call it from different threads.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from marksix.errors import InputError, NotFound
from marksix.sandbox.conformance import (
    ALL_SCOPES,
    CONTAINER_LIFETIME_SECONDS,
    LONG_LIVED_SECONDS,
    PUBLISH_LIMIT_PER_DAY,
    SHORT_LIVED_SECONDS,
    Token,
    check_image,
    unreachable_media,
)
from marksix.sandbox.faults import GraphFailure, bad_parameter, throttled, unknown_object

DEFAULT_USERNAME = "marksix.sandbox"
DEFAULT_TOKEN = "sandbox-access-token"  # noqa: S105 - the simulator's public test token
PRIVATE_REPLY_WINDOW_SECONDS = 7 * 24 * 3600
CAPTION_LIMIT = 2200
# A container takes a moment to process: IN_PROGRESS first, FINISHED after this (Content Publishing
# guide: "check the container's status_code ... until FINISHED" before media_publish).
CONTAINER_PROCESSING_SECONDS = 2.0
ImageFetcher = Callable[[str], bytes]


@dataclass
class Account:
    id: str  # the IG professional account ID (webhook entry.id, /me user_id)
    username: str
    app_scoped_id: str  # what /me returns as `id` with Instagram Login
    # Webhooks setup, step 3: an account gets no notification until the app calls
    # POST /me/subscribed_apps for it. https://developers.facebook.com/documentation/instagram-platform/webhooks
    subscribed_fields: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "app_scoped_id": self.app_scoped_id,
            "subscribed_fields": list(self.subscribed_fields),
        }


@dataclass
class Media:
    id: str
    owner_id: str
    caption: str
    created_at: float
    media_product_type: str = "FEED"  # FEED, REELS, STORY, AD, LIVE
    media_type: str = "IMAGE"
    comment_enabled: bool = True
    ad_id: str | None = None
    ad_title: str | None = None
    image_url: str | None = None

    @property
    def is_live(self) -> bool:
        return self.media_product_type == "LIVE"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Comment:
    id: str
    media_id: str
    text: str
    from_id: str
    username: str
    created_at: float
    parent_id: str | None = None
    by_account: bool = False
    hidden: bool = False
    deleted: bool = False
    like_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplyRecord:
    comment_id: str  # the comment the API was asked to reply to
    reply_id: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"comment_id": self.comment_id, "reply_id": self.reply_id, "text": self.text}


@dataclass(frozen=True)
class PrivateReply:
    comment_id: str
    message_id: str
    recipient_id: str
    text: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Container:
    id: str
    owner_id: str
    image_url: str
    caption: str
    created_at: float = 0.0
    ready_at: float = 0.0
    status_code: str = "IN_PROGRESS"
    media_id: str | None = None

    def status_at(self, now: float) -> str:
        """IG Container status_code: IN_PROGRESS, then FINISHED; EXPIRED after 24 hours unpublished."""
        if self.status_code in ("PUBLISHED", "ERROR"):
            return self.status_code
        if now - self.created_at >= CONTAINER_LIFETIME_SECONDS:
            return "EXPIRED"
        return "FINISHED" if now >= self.ready_at else "IN_PROGRESS"


Listener = Callable[["SimulatorState", Comment], None]


class SimulatorState:
    """Everything the simulated Graph API knows, with one account and one post to start."""

    PERSISTED_EXTRA = ("next_id",)  # persist.py keeps these besides every dict and list

    def __init__(
        self,
        *,
        username: str = DEFAULT_USERNAME,
        access_token: str = DEFAULT_TOKEN,
        account_id: str = "17841400000000001",
        max_comment_chars: int = 2200,
        private_replies_per_hour: int = 750,
        clock: Callable[[], float] = time.time,
        image_fetcher: ImageFetcher | None = None,
        container_processing_seconds: float = CONTAINER_PROCESSING_SECONDS,
    ) -> None:
        self.max_comment_chars = max_comment_chars
        self.image_fetcher = image_fetcher or fetch_image
        self.container_processing_seconds = container_processing_seconds
        self.private_replies_per_hour = private_replies_per_hour  # documented for posts and reels
        self._clock = clock
        self._lock = threading.RLock()
        self._seed = (username, access_token, account_id)
        # IDs start from the clock so a restarted sandbox never reuses an ID the service
        # has already stored (it would be taken for a duplicate delivery and ignored).
        self.next_id = int(clock() * 1000) % 10**12
        self.on_comment: Listener | None = None
        self.reset()

    # --- setup -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to one account with one post and no comments."""
        username, token, account_id = self._seed
        with self._lock:
            self.accounts: dict[str, Account] = {}
            self.media: dict[str, Media] = {}
            self.comments: dict[str, Comment] = {}
            self.replies: list[ReplyRecord] = []
            self.private_replies: dict[str, PrivateReply] = {}
            self.private_reply_times: dict[str, list[float]] = {}
            self.containers: dict[str, Container] = {}
            self.users: dict[str, str] = {}  # username -> IGSID
            self.published_at: dict[str, list[float]] = {}  # per account: the limit is per account
            self.tokens: dict[str, Token] = {}
            self.add_account(username, token, account_id=account_id)
            self.add_media(account_id, "下期六合彩：留言就有一組號碼同數據分析 (18+)")

    def add_account(
        self,
        username: str,
        access_token: str,
        *,
        account_id: str | None = None,
        scopes: frozenset[str] = ALL_SCOPES,
    ) -> Account:
        with self._lock:
            account_id = account_id or self._new_id("178414")
            account = Account(id=account_id, username=username, app_scoped_id=self._new_id("2600"))
            self.accounts[account_id] = account
            self.users[username.lower()] = account_id
            self.issue_token(account, scopes=scopes, value=access_token)
            return account

    def issue_token(
        self,
        account: Account,
        *,
        scopes: frozenset[str] = ALL_SCOPES,
        long_lived: bool = True,
        value: str | None = None,
    ) -> Token:
        """A new token for `account`: 60 days when long-lived, an hour when short-lived."""
        with self._lock:
            now = self._clock()
            lifetime = LONG_LIVED_SECONDS if long_lived else SHORT_LIVED_SECONDS
            token = Token(
                value=value or "IGAA" + secrets.token_urlsafe(24),
                account_id=account.id,
                issued_at=now,
                expires_at=now + lifetime,
                scopes=frozenset(scopes),
                long_lived=long_lived,
            )
            self.tokens[token.value] = token
            return token

    def token(self, value: str) -> Token | None:
        with self._lock:
            for known, token in self.tokens.items():
                if secrets.compare_digest(value.encode(), known.encode()):
                    return token
        return None

    def now(self) -> float:
        return self._clock()

    def subscribe(self, account_id: str, fields: list[str]) -> None:
        """POST /{ig-user-id}/subscribed_apps: replaces the account's webhook fields."""
        with self._lock:
            self._account(account_id).subscribed_fields = [name for name in fields if name]

    def add_media(
        self,
        owner_id: str,
        caption: str,
        *,
        media_product_type: str = "FEED",
        ad_title: str | None = None,
    ) -> Media:
        with self._lock:
            self._account(owner_id)
            media = Media(
                id=self._new_id("1790"),
                owner_id=owner_id,
                caption=caption,
                created_at=self._clock(),
                media_product_type=media_product_type,
            )
            if media_product_type == "AD":
                media.ad_id = self._new_id("1202")
                media.ad_title = ad_title or "Sponsored"
            self.media[media.id] = media
            return media

    @property
    def account(self) -> Account:
        """The first account: the sandbox's own."""
        with self._lock:
            return next(iter(self.accounts.values()))

    def latest_media(self, owner_id: str | None = None) -> Media:
        with self._lock:
            owner = owner_id or self.account.id
            owned = [media for media in self.media.values() if media.owner_id == owner]
            return max(owned, key=lambda media: (media.created_at, media.id))

    def account_for_token(self, token: str) -> Account | None:
        found = self.token(token)
        return None if found is None else self.accounts.get(found.account_id)

    def user_id(self, username: str) -> str:
        """A stable IGSID per username; the account's own username maps to the account."""
        with self._lock:
            key = username.lower().lstrip("@")
            if key not in self.users:
                digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
                self.users[key] = f"5310{digest % 10**13:013d}"
            return self.users[key]

    # --- comments from people (the sandbox page) ---------------------------------
    def post_comment(
        self,
        username: str,
        text: str,
        *,
        media_id: str | None = None,
        parent_id: str | None = None,
        notify: bool = True,
    ) -> Comment:
        """A comment typed by `username` in the Instagram app; notifies `on_comment`."""
        if not username.strip().lstrip("@"):
            raise InputError("a comment needs a 'username'")
        if not text.strip():
            raise InputError("a comment needs some 'text'")
        if len(text) > self.max_comment_chars:
            raise InputError(f"a comment holds at most {self.max_comment_chars} characters")
        with self._lock:
            media = self.media.get(media_id) if media_id else self.latest_media()
            if media is None:
                raise NotFound(f"no media with id {media_id!r}")
            if not media.comment_enabled:
                raise InputError(f"comments are turned off on media {media.id}")
            if parent_id is not None:
                parent = self.comments.get(parent_id)
                if parent is None or parent.deleted or parent.media_id != media.id:
                    raise NotFound(f"no comment with id {parent_id!r} on media {media.id}")
                parent_id = self._top_level(parent).id
            username = username.strip().lstrip("@")
            author_id = self.user_id(username)
            owner = self.accounts.get(author_id)
            comment = self._add_comment(
                media, text, author_id, username, parent_id, by_account=owner is not None
            )
        if notify:
            self._notify(comment)
        return comment

    # --- Graph API operations ----------------------------------------------------
    def reply(self, account: Account, comment_id: str, message: str) -> Comment:
        """POST /{comment-id}/replies."""
        with self._lock:
            target = self._comment(comment_id, "post")
            media = self.media[target.media_id]
            if media.owner_id != account.id:
                raise unknown_object(comment_id)
            self._check_message(message)
            if media.is_live:
                raise bad_parameter("Replies are not supported on live video comments; send a private reply")
            if target.hidden:
                raise bad_parameter("Cannot reply to a hidden comment")
            if not media.comment_enabled:
                raise bad_parameter("Comments are disabled for this media")
            top = self._top_level(target)
            reply = self._add_comment(media, message, account.id, account.username, top.id, by_account=True)
            self.replies.append(ReplyRecord(comment_id=comment_id, reply_id=reply.id, text=message))
        self._notify(reply)
        return reply

    def comment_on_media(self, account: Account, media_id: str, message: str) -> Comment:
        """POST /{media-id}/comments: a top-level comment by the account."""
        with self._lock:
            media = self._media(media_id, "post")
            self._check_message(message)
            if media.is_live:
                raise bad_parameter("Comments cannot be created on live video")
            comment = self._add_comment(media, message, account.id, account.username, None, by_account=True)
        self._notify(comment)
        return comment

    def private_reply(self, account: Account, comment_id: str, text: str) -> PrivateReply:
        """POST /{ig-id}/messages with recipient.comment_id: one DM per comment, within 7 days."""
        with self._lock:
            comment = self._comment(comment_id, "post")
            if self.media[comment.media_id].owner_id != account.id:
                raise unknown_object(comment_id)
            if not text:
                raise bad_parameter("The parameter message is required")
            if comment_id in self.private_replies:
                raise GraphFailure(
                    400, 10, "(#10) Only one private reply can be sent to a comment", subcode=2534022
                )
            now = self._clock()
            recent = [at for at in self.private_reply_times.get(account.id, []) if now - at < 3600]
            if len(recent) >= self.private_replies_per_hour:
                regain = (recent[0] + 3600 - now) / 60
                raise throttled(613, max(1.0, math.ceil(regain)))
            # Private Replies: "within 7 days of the comment", one message per comment.
            # https://developers.facebook.com/docs/instagram-platform/private-replies
            if now - comment.created_at > PRIVATE_REPLY_WINDOW_SECONDS:
                raise GraphFailure(
                    400, 10, "(#10) This message is sent outside of allowed window", subcode=2534022
                )
            sent = PrivateReply(
                comment_id=comment_id,
                message_id="aWdf" + secrets.token_urlsafe(18),
                recipient_id=comment.from_id,
                text=text,
            )
            self.private_replies[comment_id] = sent
            self.private_reply_times[account.id] = [*recent, now]
            return sent

    def hide(self, account: Account, comment_id: str, hidden: bool) -> None:
        with self._lock:
            comment = self._owned_comment(account, comment_id)
            if self.media[comment.media_id].is_live:
                raise bad_parameter("Hiding comments on live video is not supported")
            # "Comments made by media object owners on their own media objects will always be displayed".
            comment.hidden = hidden and not comment.by_account

    def delete(self, account: Account, comment_id: str) -> None:
        with self._lock:
            self._owned_comment(account, comment_id, method="delete").deleted = True

    def set_comment_enabled(self, account: Account, media_id: str, enabled: bool) -> None:
        with self._lock:
            media = self._media(media_id, "post")
            if media.owner_id != account.id:
                raise unknown_object(media_id)
            media.comment_enabled = enabled

    def create_container(self, account: Account, image_url: str, caption: str) -> Container:
        """POST /{ig-user-id}/media: fetch the image now (call this off the event loop), check it."""
        if not image_url:
            raise bad_parameter("The parameter image_url is required")
        if len(caption) > CAPTION_LIMIT:
            message = "The caption is too long: maximum 2,200 characters, 30 hashtags, and 20 @ tags."
            raise GraphFailure(400, 36004, message, subcode=2207010)
        try:
            data = self.image_fetcher(image_url)
        except (httpx.HTTPError, OSError, ValueError) as problem:
            raise unreachable_media(image_url, type(problem).__name__) from None
        check_image(data)
        with self._lock:
            now = self._clock()
            container = Container(
                id=self._new_id("1800"),
                owner_id=account.id,
                image_url=image_url,
                caption=caption,
                created_at=now,
                ready_at=now + self.container_processing_seconds,
            )
            self.containers[container.id] = container
            return container

    def container_status(self, container: Container) -> str:
        with self._lock:
            return container.status_at(self._clock())

    def publishing_usage(self, account: Account) -> int:
        """Posts published by `account` in the last 24 hours."""
        with self._lock:
            now = self._clock()
            recent = [at for at in self.published_at.get(account.id, []) if now - at < 24 * 3600]
            self.published_at[account.id] = recent
            return len(recent)

    def publish(self, account: Account, creation_id: str) -> Media:
        with self._lock:
            container = self.containers.get(creation_id)
            if container is None or container.owner_id != account.id:
                raise unknown_object(creation_id)
            if container.media_id is not None:
                raise GraphFailure(400, 9007, "(#9007) The media has already been published", subcode=2207027)
            status = container.status_at(self._clock())
            if status == "IN_PROGRESS":
                raise GraphFailure(
                    400, 9007, "(#9007) Media ID is not available: the media is not ready", subcode=2207027
                )
            if status == "EXPIRED":
                raise GraphFailure(400, 9007, "(#9007) The media container has expired", subcode=2207008)
            now = self._clock()
            if self.publishing_usage(account) >= PUBLISH_LIMIT_PER_DAY:
                raise GraphFailure(400, 9, "(#9) Application request limit reached", subcode=2207042)
            media = self.add_media(account.id, container.caption)
            media.image_url = container.image_url
            container.media_id, container.status_code = media.id, "PUBLISHED"
            self.published_at.setdefault(account.id, []).append(now)
            return media

    # --- reads -------------------------------------------------------------------
    def find(self, object_id: str) -> Account | Media | Comment | Container | None:
        with self._lock:
            comment = self.comments.get(object_id)
            if comment is not None:
                return None if comment.deleted else comment
            return self.media.get(object_id) or self.accounts.get(object_id) or self.containers.get(object_id)

    def top_level_comments(self, media_id: str) -> list[Comment]:
        """Newest first, as Graph returns them since v3.2."""
        with self._lock:
            found = [c for c in self.comments.values() if c.media_id == media_id and c.parent_id is None]
            return sorted(
                (c for c in found if not c.deleted), key=lambda c: (c.created_at, c.id), reverse=True
            )

    def replies_of(self, comment_id: str) -> list[Comment]:
        with self._lock:
            found = [c for c in self.comments.values() if c.parent_id == comment_id and not c.deleted]
            return sorted(found, key=lambda c: (c.created_at, c.id))

    def media_of(self, owner_id: str) -> list[Media]:
        with self._lock:
            owned = [media for media in self.media.values() if media.owner_id == owner_id]
            return sorted(owned, key=lambda media: (media.created_at, media.id), reverse=True)

    def reply_records(self) -> list[dict[str, str]]:
        with self._lock:
            return [record.to_json() for record in self.replies]

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "accounts": [account.to_json() for account in self.accounts.values()],
                "media": [media.to_json() for media in self.media.values()],
                "comments": [comment.to_json() for comment in self.comments.values()],
                "replies": self.reply_records(),
                "private_replies": [sent.to_json() for sent in self.private_replies.values()],
            }

    # --- internals ---------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        """Numeric-string IDs, 17 digits like Instagram's, unique within the state."""
        width = 17 - len(prefix)
        self.next_id += 1  # callers hold the lock; a plain number so that persist.py keeps it
        return f"{prefix}{(self.next_id - 1) % 10**width:0{width}d}"

    def _add_comment(
        self,
        media: Media,
        text: str,
        author_id: str,
        username: str,
        parent_id: str | None,
        *,
        by_account: bool,
    ) -> Comment:
        comment = Comment(
            id=self._new_id("1791"),
            media_id=media.id,
            text=text,
            from_id=author_id,
            username=username,
            created_at=self._clock(),
            parent_id=parent_id,
            by_account=by_account,
        )
        self.comments[comment.id] = comment
        return comment

    def _notify(self, comment: Comment) -> None:
        listener = self.on_comment
        if listener is not None:
            listener(self, comment)

    def _check_message(self, message: str) -> None:
        if not message:
            raise bad_parameter("The parameter message is required")
        if len(message) > self.max_comment_chars:
            raise bad_parameter("The message is too long")

    def _account(self, account_id: str) -> Account:
        account = self.accounts.get(account_id)
        if account is None:
            raise unknown_object(account_id, "get")
        return account

    def _media(self, media_id: str, method: str = "get") -> Media:
        media = self.media.get(media_id)
        if media is None:
            raise unknown_object(media_id, method)
        return media

    def _comment(self, comment_id: str, method: str) -> Comment:
        comment = self.comments.get(comment_id)
        if comment is None or comment.deleted:
            raise unknown_object(comment_id, method)
        return comment

    def _owned_comment(self, account: Account, comment_id: str, method: str = "post") -> Comment:
        comment = self._comment(comment_id, method)
        if self.media[comment.media_id].owner_id != account.id:
            raise unknown_object(comment_id, method)
        return comment

    def _top_level(self, comment: Comment) -> Comment:
        return self.comments[comment.parent_id] if comment.parent_id else comment


def fetch_image(url: str) -> bytes:
    """Meta cURLs image_url; so does the simulator, with a timeout and an 8 MB cap."""
    with httpx.Client(timeout=10.0, follow_redirects=True) as http:
        response = http.get(url)
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}")
    return response.content[: 8 * 1024 * 1024 + 1]


def iso_timestamp(epoch: float) -> str:
    """Graph's timestamp format: 2017-05-19T23:27:28+0000."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
