"""Graph API errors → the package's ApiError tree, classified by code.

Meta does not document the HTTP status of throttling errors (400 is common),
so the class comes from `error.code`, `error_subcode` and `is_transient`;
the status only decides when the body says nothing useful.

    TokenExpired       190, 102, OAuthException with an auth subcode or no code
    PolicyBlocked      368, 4/2207051 (pause the account for hours and alert)
    RateLimited        4, 17, 32, 341, 613, 80001, 80002, 80006, HTTP 429
                       (retry_after from estimated_time_to_regain_access)
    RetryableApiError  1, 2, -1, -2, is_transient, HTTP 5xx
    PermanentApiError  100, 3, 10, 200-299, 25, 506 and everything else
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marksix.errors import (
    ApiError,
    NetworkError,
    PermanentApiError,
    PolicyBlocked,
    RateLimited,
    RetryableApiError,
    TokenExpired,
)
from marksix.instagram.usage import parse_usage

TOKEN_CODES = frozenset({190, 102})
AUTH_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
POLICY_CODE = 368
ACTION_BLOCK = (4, 2207051)
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80006})
TRANSIENT_CODES = frozenset({1, 2, -1, -2})

# Graph sometimes echoes the request URL; a token must never reach a log.
_TOKEN_PATTERN = re.compile(r"(access_token|appsecret_proof|client_secret|fb_exchange_token)=[^&\s\"']+")


def redact(text: str, *secrets: str | None) -> str:
    """`text` with token query parameters and the given secrets blanked out."""
    text = _TOKEN_PATTERN.sub(r"\1=***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class GraphErrorBody:
    """The `{"error": {...}}` object Graph returns, with defaults for what is missing."""

    message: str = ""
    type: str | None = None
    code: int | None = None
    subcode: int | None = None
    is_transient: bool = False
    fbtrace_id: str | None = None
    user_message: str | None = None

    @classmethod
    def from_body(cls, body: Any) -> GraphErrorBody:
        if isinstance(body, bytes | bytearray):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str):
            try:
                body = json.loads(body) if body.strip() else None
            except ValueError:
                return cls(message=body.strip()[:200])
        error = body.get("error") if isinstance(body, Mapping) else None
        if error is None and isinstance(body, Mapping) and "error_type" in body:
            error = body  # the Instagram OAuth endpoints put the fields at the top level
        if not isinstance(error, Mapping):
            return cls()
        message = error.get("message") or error.get("error_message") or ""
        code = _int(error.get("code"))
        return cls(
            message=str(message),
            type=_str(error.get("type")) or _str(error.get("error_type")),
            code=code,
            subcode=_int(error.get("error_subcode")),
            is_transient=error.get("is_transient") is True,
            fbtrace_id=_str(error.get("fbtrace_id")),
            user_message=_str(error.get("error_user_msg")),
        )


def classify(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    *,
    secrets: tuple[str, ...] = (),
) -> ApiError:
    """The ApiError for one failed Graph response (status, JSON or raw body, headers)."""
    error = GraphErrorBody.from_body(body)
    code, subcode = error.code, error.subcode
    detail = error.message or f"HTTP {status}"
    if code is not None:
        detail = f"Graph error {code}" + (f"/{subcode}" if subcode is not None else "") + f": {detail}"
    if error.fbtrace_id:
        detail += f" (fbtrace_id {error.fbtrace_id})"
    message = redact(detail, *secrets)
    fields: dict[str, int | None] = {"code": code, "subcode": subcode, "status": status}

    if code in TOKEN_CODES or (error.type == "OAuthException" and (subcode in AUTH_SUBCODES or code is None)):
        return TokenExpired(message, **fields)
    if code == POLICY_CODE or (code, subcode) == ACTION_BLOCK:
        return PolicyBlocked(message, **fields)
    if code in THROTTLE_CODES or (code is None and status == 429):
        return RateLimited(message, retry_after=_retry_after(headers), **fields)
    if code in TRANSIENT_CODES or error.is_transient:
        return RetryableApiError(message, **fields)
    if code is None and status == 401:
        return TokenExpired(message, **fields)
    if code is None and (status >= 500 or status in (408, 425)):
        return RetryableApiError(message, **fields)
    return PermanentApiError(message, **fields)


def failure_class(error: BaseException) -> str:
    """A stable short name for logs and the store's `failure_class` column."""
    for kind, name in (
        (TokenExpired, "token_expired"),
        (PolicyBlocked, "policy_blocked"),
        (RateLimited, "throttled"),
        (NetworkError, "network"),
        (RetryableApiError, "retryable"),
        (PermanentApiError, "permanent"),
    ):
        if isinstance(error, kind):
            return name
    return "unexpected"


def is_retryable(error: BaseException) -> bool:
    """Retry soon (with backoff): transient, throttled, or no answer at all."""
    return isinstance(error, RetryableApiError | RateLimited | NetworkError)


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait: BUC's estimated_time_to_regain_access, else Retry-After."""
    if not headers:
        return None
    estimated = parse_usage(headers).retry_after
    if estimated is not None:
        return estimated
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        seconds = float(raw) if raw else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


#: Handling Errors: 3 (capability), 10 (permission denied), 200-299 (permission not granted or
#: removed). https://developers.facebook.com/docs/graph-api/guides/error-handling/
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
_SCOPE = re.compile(r"\b(instagram_business_[a-z_]+|instagram_[a-z_]+|pages_[a-z_]+)\b")


def missing_permission(error: ApiError) -> str | None:
    """An alert naming the permission a refused call lacked, or None when it is not that kind."""
    if error.code not in PERMISSION_CODES:
        return None
    found = _SCOPE.search(str(error))
    named = f"the {found.group(1)} permission" if found else "a permission it needs"
    return (
        f"Instagram refused the call for lack of {named} (code {error.code}); "
        "connect the account again granting it, then unblock the account"
    )


#: Instagram error codes: 25 with subcode 2207050, "The Instagram account is restricted" (inactive,
#: checkpointed or restricted). Waiting does not help; a person must act in the app.
#: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
RESTRICTED_CODE = 25


def restriction(error: ApiError) -> str | None:
    """An alert for a restricted account, or None when the error is not that kind."""
    if error.code != RESTRICTED_CODE:
        return None
    code = f"{error.code}" + (f"/{error.subcode}" if error.subcode is not None else "")
    return (
        f"Instagram restricted this account (code {code}: inactive, checkpointed or restricted); "
        "open it in the Instagram app and clear what it asks, then unblock the account"
    )
