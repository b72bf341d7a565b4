"""Rate-limit usage headers, so the worker can slow down before Meta throttles.

`X-App-Usage` carries app-wide percentages; `X-Business-Use-Case-Usage`
carries per-account percentages (type `instagram` for us) and, when
throttled, `estimated_time_to_regain_access` in minutes. Throttling starts
when any percentage reaches 100.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

APP_USAGE_HEADER = "X-App-Usage"
BUSINESS_USAGE_HEADER = "X-Business-Use-Case-Usage"
PERCENT_KEYS = ("call_count", "total_cputime", "total_time")


@dataclass(frozen=True)
class BusinessUsage:
    """One object of `X-Business-Use-Case-Usage` (one account, one use case)."""

    business_id: str
    type: str
    call_count: float = 0.0
    total_cputime: float = 0.0
    total_time: float = 0.0
    estimated_time_to_regain_access: float = 0.0  # minutes

    @property
    def max_percent(self) -> float:
        return max(self.call_count, self.total_cputime, self.total_time)


@dataclass(frozen=True)
class Usage:
    """What the last Graph response said about our rate-limit budget."""

    app: Mapping[str, float] = field(default_factory=dict)
    business: tuple[BusinessUsage, ...] = ()

    @property
    def max_percent(self) -> float:
        """The highest percentage across both headers (100 = throttled)."""
        values = [*self.app.values(), *(item.max_percent for item in self.business)]
        return max(values, default=0.0)

    @property
    def regain_access_minutes(self) -> float:
        return max((item.estimated_time_to_regain_access for item in self.business), default=0.0)

    @property
    def retry_after(self) -> float | None:
        """Seconds until Meta says calls will work again; None when not throttled."""
        minutes = self.regain_access_minutes
        return minutes * 60 if minutes > 0 else None

    @property
    def throttled(self) -> bool:
        return self.max_percent >= 100 or self.regain_access_minutes > 0

    def should_slow_down(self, threshold: float = 80.0) -> bool:
        """True once any budget passes `threshold` percent: spread calls out."""
        return self.throttled or self.max_percent >= threshold

    def for_account(self, business_id: str) -> tuple[BusinessUsage, ...]:
        return tuple(item for item in self.business if item.business_id == business_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "app": dict(self.app),
            "business": [vars(item) for item in self.business],
            "max_percent": self.max_percent,
            "retry_after": self.retry_after,
        }


EMPTY_USAGE = Usage()


def parse_usage(headers: Mapping[str, str]) -> Usage:
    """Usage from response headers; a missing or garbled header counts as empty.

    `headers` should be case-insensitive (httpx.Headers is); a plain dict is
    looked up in both spellings Meta uses.
    """
    app_raw = _header(headers, APP_USAGE_HEADER)
    business_raw = _header(headers, BUSINESS_USAGE_HEADER)
    return Usage(app=_parse_app(app_raw), business=_parse_business(business_raw))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return headers.get(name) or headers.get(name.lower())


def _loads(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _parse_app(raw: str | None) -> dict[str, float]:
    data = _loads(raw)
    if not isinstance(data, Mapping):
        return {}
    return {key: _percent(data.get(key)) for key in PERCENT_KEYS if key in data}


def _parse_business(raw: str | None) -> tuple[BusinessUsage, ...]:
    data = _loads(raw)
    if not isinstance(data, Mapping):
        return ()
    items: list[BusinessUsage] = []
    for business_id, objects in data.items():
        if not isinstance(objects, list):
            continue
        for item in objects:
            if not isinstance(item, Mapping):
                continue
            items.append(
                BusinessUsage(
                    business_id=str(business_id),
                    type=str(item.get("type", "")),
                    call_count=_percent(item.get("call_count")),
                    total_cputime=_percent(item.get("total_cputime")),
                    total_time=_percent(item.get("total_time")),
                    estimated_time_to_regain_access=_percent(item.get("estimated_time_to_regain_access")),
                )
            )
    return tuple(items)


def _percent(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0
