"""Graph errors as Meta shapes them, and the faults a test can inject.

A fault matches the next calls (optionally only one method or path) and is
used up after `count` of them; `count=None` keeps it until cleared, which is
how an expired token or a policy block behaves on the real platform.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from marksix.errors import InputError

THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
}


class GraphFailure(Exception):
    """A Graph API error response: `{"error": {message, type, code, ...}}`."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        type: str = "OAuthException",
        is_transient: bool = False,
        headers: Mapping[str, str] | None = None,
        regain_access_minutes: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.regain_access_minutes = regain_access_minutes
        self.status = status
        self.code = code
        self.message = message
        self.subcode = subcode
        self.type = type
        self.is_transient = is_transient
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["is_transient"] = self.is_transient
        error["fbtrace_id"] = secrets.token_urlsafe(9)
        return {"error": error}


def unknown_object(object_id: str, method: str = "post") -> GraphFailure:
    """Meta's answer for an ID it does not know (or may not touch): code 100, subcode 33."""
    return GraphFailure(
        400,
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        subcode=33,
        type="GraphMethodException",
    )


def bad_parameter(message: str) -> GraphFailure:
    return GraphFailure(400, 100, f"(#100) {message}")


GRAPH_FAULTS = frozenset(
    {
        "server_error",  # bare HTTP 5xx with an HTML body (a proxy or load balancer)
        "unknown_error",  # code 1, transient
        "service_unavailable",  # code 2, transient
        "instagram_server_error",  # code -1 / 2207001, transient
        "throttle",  # code 4/17/32/613/80002 with estimated_time_to_regain_access
        "http_429",  # HTTP 429 with Retry-After and no Graph body
        "token_expired",  # 190 / 463
        "token_invalid",  # 190 / 467
        "policy_block",  # 368
        "action_block",  # 4 / 2207051
        "duplicate_post",  # 506
        "permission_denied",  # 10
        "account_restricted",  # 25 / 2207050 (inactive, checkpointed or restricted)
        "timeout",  # no answer for `seconds` (then 504); the call has no effect
        "response_lost",  # the call takes effect; no answer for `seconds` (then 504)
        "latency",  # answer slowly
        "usage",  # report this usage percentage (100 = throttled, code 80002)
    }
)
WEBHOOK_FAULTS = frozenset({"webhook_drop", "webhook_duplicate", "webhook_delay"})
FAULT_KINDS = GRAPH_FAULTS | WEBHOOK_FAULTS


@dataclass
class Fault:
    kind: str
    count: int | None = 1  # None: until cleared
    method: str | None = None  # GET, POST, DELETE
    path: str | None = None  # path segments of the Graph path, e.g. "replies" or "me"
    account_id: str | None = None  # only calls made with this account's token
    code: int = 80002  # for "throttle"
    status: int = 500  # for "server_error"
    retry_after_minutes: float = 1.0  # for throttles
    seconds: float = 10.0  # for timeout / response_lost / webhook_delay
    latency_ms: float = 0.0  # for "latency"
    percent: float = 0.0  # for "usage"
    id: int = field(default=0)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from the sandbox API body; a bad kind, field or value is an InputError
        naming the field, so nothing ill-typed is stored to break a later Graph call."""
        if not isinstance(data, Mapping):
            raise InputError("a fault must be a JSON object with a 'kind'")
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in FAULT_KINDS:
            raise InputError(f"unknown fault kind {kind!r}; choose one of: {', '.join(sorted(FAULT_KINDS))}")
        known = {name for name in cls.__dataclass_fields__ if name != "id"}
        extra = set(data) - known
        if extra:
            raise InputError(f"unknown fault field(s): {', '.join(sorted(map(str, extra)))}")
        values: dict[str, Any] = {"kind": kind}
        for name, check in _FIELD_CHECKS.items():
            if name in data:
                values[name] = check(name, data[name])
        fault = cls(**values)
        if fault.kind == "throttle" and fault.code not in THROTTLE_MESSAGES:
            raise InputError(f"'code': a throttle code is one of {sorted(THROTTLE_MESSAGES)}")
        return fault

    def matches(self, method: str, path: str, account_id: str | None = None) -> bool:
        """`path` "replies" or "me" names a path segment; "a/b" must appear as segments in order."""
        if self.method is not None and self.method != method:
            return False
        if self.account_id is not None and self.account_id != account_id:
            return False
        if self.path is None:
            return True
        wanted = self.path.strip("/")
        return f"/{wanted}/" in f"/{path.strip('/')}/"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def failure(self) -> GraphFailure | None:
        """The error this fault answers with, or None for behaviour faults (timeouts, latency)."""
        match self.kind:
            case "server_error":
                return GraphFailure(self.status, 0, "Internal Server Error")
            case "unknown_error":
                return GraphFailure(500, 1, "An unknown error occurred", is_transient=True)
            case "service_unavailable":
                message = "An unexpected error has occurred. Please retry your request later."
                return GraphFailure(503, 2, message, is_transient=True)
            case "instagram_server_error":
                return GraphFailure(
                    500, -1, "Instagram server error. Try again", subcode=2207001, is_transient=True
                )
            case "throttle":
                return throttled(self.code, self.retry_after_minutes)
            case "http_429":
                retry_after = str(round(self.retry_after_minutes * 60))
                return GraphFailure(429, 0, "Too Many Requests", headers={"Retry-After": retry_after})
            case "token_expired":
                message = "Error validating access token: Session has expired."
                return GraphFailure(400, 190, message, subcode=463)
            case "token_invalid":
                return GraphFailure(
                    400, 190, "Invalid OAuth access token - Cannot parse access token", subcode=467
                )
            case "policy_block":
                message = "The action attempted has been deemed abusive or is otherwise disallowed"
                return GraphFailure(400, 368, message)
            case "action_block":
                message = (
                    "We restrict certain activity to protect our community. "
                    "Tell us if you think we made a mistake."
                )
                return GraphFailure(400, 4, message, subcode=2207051)
            case "duplicate_post":
                return GraphFailure(
                    400, 506, "Duplicate Post: Duplicate posts cannot be published consecutively"
                )
            case "permission_denied":
                return GraphFailure(403, 10, "(#10) Application does not have permission for this action")
            case "account_restricted":
                # Instagram error codes: 25 / 2207050 "The Instagram account is restricted".
                return GraphFailure(400, 25, "The Instagram account is restricted.", subcode=2207050)
        return None


def _number(name: str, value: Any, low: float, high: float) -> float:
    # bool is an int to Python, never to a person writing JSON.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a number, not {value!r}")
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, not {value!r}")
    return float(value)


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {value!r}")
    return value


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive whole number, or null for 'until cleared'")
    return value


def _method(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in ("GET", "POST", "DELETE"):
        raise InputError(f"{name} must be GET, POST or DELETE, not {value!r}")
    return value.upper()


def _text_field(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "account_id":
        return str(value)  # an ID written as a JSON number
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InputError(f"{name} must be non-empty text (at most 200 characters), not {value!r}")
    return value.strip()


_FIELD_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "count": _count,
    "method": _method,
    "path": _text_field,
    "account_id": _text_field,
    "code": lambda name, value: _integer(name, value, -(2**31), 2**31 - 1),
    # A bare HTTP failure in front of the API: a 5xx status.
    "status": lambda name, value: _integer(name, value, 500, 599),
    "retry_after_minutes": lambda name, value: _number(name, value, 0, 24 * 60),
    "seconds": lambda name, value: _number(name, value, 0, 3600),
    "latency_ms": lambda name, value: _number(name, value, 0, 60_000),
    "percent": lambda name, value: _number(name, value, 0, 1000),
}


def throttled(code: int, retry_after_minutes: float) -> GraphFailure:
    """A throttling error; the usage header carries estimated_time_to_regain_access."""
    return GraphFailure(
        400, code, THROTTLE_MESSAGES[code], is_transient=True, regain_access_minutes=retry_after_minutes
    )


class FaultBook:
    """The injected faults, consumed in the order they were added (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(
        self, kinds: frozenset[str], method: str = "", path: str = "", account_id: str | None = None
    ) -> Fault | None:
        """The first matching fault of these kinds, used up by one."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and (not method or fault.matches(method, path, account_id)):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
        return None
