"""The rules the simulator enforces because Meta does: tokens, scopes and publishable images.

Each rule names the page it comes from (docs/instagram-conformance.md lists
them all with the tests that hold the client to them). A rule the simulator
does not enforce is a leniency, and a leniency is a bug in the fake.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from marksix.sandbox.faults import GraphFailure

DAY = 24 * 3600.0
# Refresh Access Token reference: "Refresh a long-lived access token that is at least 24 hours old
# but has not expired. Refreshed tokens are valid for 60 days from the date at which they are refreshed."
# https://developers.facebook.com/documentation/instagram-platform/reference/refresh_access_token
REFRESH_MIN_AGE_SECONDS = DAY
# The Access Token reference answers long-lived exchanges with expires_in 5183944 (about 60 days).
# https://developers.facebook.com/documentation/instagram-platform/reference/access_token
LONG_LIVED_SECONDS = 5183944
SHORT_LIVED_SECONDS = 3600

BASIC = "instagram_business_basic"
COMMENTS = "instagram_business_manage_comments"
PUBLISH = "instagram_business_content_publish"
MESSAGES = "instagram_business_manage_messages"
ALL_SCOPES = frozenset({BASIC, COMMENTS, PUBLISH, MESSAGES})

# Content Publishing: image posts take "JPEG" only, "8 MB maximum", an aspect ratio "within a 4:5 to
# 1.91:1 range"; "We cURL media used in publishing attempts, so the media must be hosted on a publicly
# accessible server at the time of the attempt."
# https://developers.facebook.com/docs/instagram-platform/content-publishing/
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91
# Content publishing limit reference: "limited to 100 API-published posts within a 24-hour moving
# period", per Instagram account, enforced on media_publish.
# https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
PUBLISH_LIMIT_PER_DAY = 100
# Containers not published within 24 hours are EXPIRED (IG Container reference, status_code).
CONTAINER_LIFETIME_SECONDS = DAY


@dataclass
class Token:
    """An Instagram User access token as Meta holds it: whose, since when, until when, for what."""

    value: str
    account_id: str
    issued_at: float
    expires_at: float
    scopes: frozenset[str] = field(default_factory=lambda: ALL_SCOPES)
    long_lived: bool = True

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


def expired_token() -> GraphFailure:
    # Handling Errors: code 190 with subcode 463 is an expired access token.
    # https://developers.facebook.com/docs/instagram-platform/error-codes (and Graph API error handling)
    return GraphFailure(400, 190, "Error validating access token: Session has expired.", subcode=463)


def require_scope(token: Token, scope: str) -> None:
    """Code 10 for a messaging call without its permission, code 200 for the rest.

    Handling Errors lists 10 ("Application does not have permission for this action") and 200-299
    ("Permission is either not granted or has been removed") for missing permissions.
    https://developers.facebook.com/docs/graph-api/guides/error-handling/
    """
    if scope in token.scopes:
        return
    if scope == MESSAGES:
        raise GraphFailure(403, 10, f"(#10) Application does not have permission for this action: {scope}")
    raise GraphFailure(403, 200, f"(#200) Requires {scope} permission to manage the object")


def check_refresh(token: Token, now: float) -> None:
    if token.expired(now):
        raise expired_token()
    if not token.long_lived:
        raise GraphFailure(400, 100, "(#100) Only long-lived access tokens can be refreshed")
    if now - token.issued_at < REFRESH_MIN_AGE_SECONDS:
        # Meta documents the rule, not the exact error; this is the code it answers in practice.
        raise GraphFailure(400, 100, "(#100) The access token must be at least 24 hours old to be refreshed")


def check_image(data: bytes) -> None:
    """Refuse what Instagram will not publish: not JPEG, over 8 MB, or outside 4:5..1.91:1."""
    if len(data) > MAX_IMAGE_BYTES:
        raise GraphFailure(400, 9004, "(#9004) The image is larger than 8 MB", subcode=2207004)
    if not data.startswith(b"\xff\xd8\xff"):
        raise GraphFailure(
            400, 9004, "(#9004) Only photo or video can be accepted as media type: JPEG", subcode=2207083
        )
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:
        raise GraphFailure(400, 9004, "(#9004) The image could not be read", subcode=2207083) from None
    ratio = width / height if height else 0.0
    if not MIN_ASPECT - 1e-3 <= ratio <= MAX_ASPECT + 1e-3:
        raise GraphFailure(
            400,
            36003,
            f"The submitted image with aspect ratio {width}:{height} cannot be published. "
            "Please submit an image with a valid aspect ratio.",
            subcode=2207009,
        )


def unreachable_media(url: str, why: str) -> GraphFailure:
    return GraphFailure(
        400, 9004, f"(#9004) The media could not be fetched from this uri: {url} ({why})", subcode=2207052
    )
