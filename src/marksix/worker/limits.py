"""How fast and how often the bot may answer: every limit in one place.

Settings give the defaults; an account's settings JSON may override them
(see `AccountLimits`). What happens at each limit:

- commenter cooldown, per-post cap: the comment is *skipped* with the reason
  in the log. A late answer to someone who was already answered, or to a
  post flooded with comments, is noise; dropping it is the friendly choice.
- private-reply window (750 an hour per account), usage above the
  threshold, throttling errors: the comment goes back to the queue with a
  not-before time. Nothing is lost; it is only later.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from marksix.errors import ConfigError
from marksix.store.comment_records import Admission, AdmissionCounts, CommentRecord

#: Meta's cap on private replies to post/reel comments, per account and hour.
PRIVATE_REPLIES_PER_HOUR = 750


class UsageReport(Protocol):
    """What the Graph client reports about the rate-limit budget (instagram.usage.Usage)."""

    @property
    def max_percent(self) -> float: ...
    @property
    def retry_after(self) -> float | None: ...


@dataclass(frozen=True)
class Limits:
    commenter_cooldown: timedelta = timedelta(seconds=60)
    post_reply_cap: int = 500
    private_replies_per_hour: int = PRIVATE_REPLIES_PER_HOUR
    reply_mode: str = "public"  # public | private (a DM instead of a public reply)
    usage_threshold: float = 90.0  # percent of any Graph budget: pause sending above it
    usage_pause: timedelta = timedelta(seconds=60)
    throttle_default: timedelta = timedelta(seconds=60)  # when Meta gives no regain time
    max_attempts: int = 5
    retry_base: timedelta = timedelta(seconds=10)
    retry_cap: timedelta = timedelta(minutes=15)
    lease: timedelta = timedelta(seconds=120)  # a worker silent this long is presumed dead
    # Policy blocks (code 368): Meta says "wait and retry" without saying how long, so the wait
    # starts long and doubles with each block in a row, up to a day (see worker/policy.py).
    policy_base: timedelta = timedelta(minutes=15)
    policy_cap: timedelta = timedelta(hours=24)


class AccountLimits(BaseModel):
    """Per-account overrides, read from the account's settings JSON (the reply
    options are checked here too, so a bad value blocks the account with its name)."""

    model_config = ConfigDict(extra="ignore")

    commenter_cooldown_seconds: float | None = Field(default=None, ge=0)
    post_reply_cap: int | None = Field(default=None, ge=1)
    private_replies_per_hour: int | None = Field(default=None, ge=1, le=PRIVATE_REPLIES_PER_HOUR)
    reply_mode: Literal["public", "private"] | None = None
    usage_threshold: float | None = Field(default=None, gt=0, le=100)
    reply_max_chars: int | None = Field(default=None, ge=80, le=2200)
    language: Literal["auto", "zh-HK", "zh-CN", "en"] | None = None


def validate_account_settings(account_id: str, settings: Mapping[str, Any]) -> AccountLimits:
    """The account's overrides, or ConfigError naming the account and each bad field."""
    try:
        return AccountLimits.model_validate(dict(settings))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors())
        raise ConfigError(f"account {account_id}: bad limit settings: {problems}") from None


def limits_for(base: Limits, account_id: str, settings: Mapping[str, Any]) -> Limits:
    """`base` with the account's overrides; a bad override names the account and field."""
    overrides = validate_account_settings(account_id, settings)
    changes: dict[str, Any] = {}
    if overrides.commenter_cooldown_seconds is not None:
        changes["commenter_cooldown"] = timedelta(seconds=overrides.commenter_cooldown_seconds)
    for name in ("post_reply_cap", "private_replies_per_hour", "reply_mode", "usage_threshold"):
        value = getattr(overrides, name)
        if value is not None:
            changes[name] = value
    return replace(base, **changes)


def base_limits(
    *,
    commenter_cooldown_seconds: float,
    post_reply_cap: int,
    lease_seconds: float = 120.0,
    retry_base_seconds: float = 10.0,
    policy_backoff_seconds: float = 900.0,
) -> Limits:
    """The defaults, from the limits and timings Settings exposes."""
    return Limits(
        commenter_cooldown=timedelta(seconds=commenter_cooldown_seconds),
        post_reply_cap=post_reply_cap,
        lease=timedelta(seconds=lease_seconds),
        retry_base=timedelta(seconds=retry_base_seconds),
        policy_base=timedelta(seconds=policy_backoff_seconds),
    )


def retry_delay(attempts: int, limits: Limits, rng: random.Random) -> timedelta:
    """Exponential back-off with jitter: base * 2^(attempts-1), capped, then 50-100% of it."""
    ceiling = min(limits.retry_base * (1 << min(max(attempts - 1, 0), 30)), limits.retry_cap)
    return ceiling * rng.uniform(0.5, 1.0)


def throttled_until(retry_after: float | None, limits: Limits, now: datetime) -> datetime:
    """When to try again after a throttling error (Meta's regain time, else the default)."""
    wait = timedelta(seconds=retry_after) if retry_after and retry_after > 0 else limits.throttle_default
    return now + wait


def usage_pause(usage: UsageReport, limits: Limits, now: datetime) -> tuple[datetime, str] | None:
    """Slow down *before* Meta throttles: a pause once usage passes the threshold."""
    percent = usage.max_percent
    if percent < limits.usage_threshold:
        return None
    wait = limits.usage_pause
    if usage.retry_after:
        wait = max(wait, timedelta(seconds=usage.retry_after))
    return now + wait, f"Graph usage at {percent:.0f}% (pausing above {limits.usage_threshold:.0f}%)"


def admission(
    record: CommentRecord, counts: AdmissionCounts, limits: Limits, *, kind: str, now: datetime
) -> Admission:
    """May this comment be sent now? Cooldown and post cap skip it; a full private-reply
    window defers it to when its oldest reply leaves the hour."""
    last = counts.last_reply_to_commenter
    cooldown = limits.commenter_cooldown
    if last is not None and cooldown > timedelta(0) and last > now - cooldown:
        ago = int((now - last).total_seconds())
        who = f"@{record.username}" if record.username else "this commenter"
        return Admission(
            "skip",
            "commenter_cooldown",
            f"{who} got a reply {ago}s ago (cooldown {int(cooldown.total_seconds())}s)",
        )
    if record.media_id and counts.replies_on_post >= limits.post_reply_cap:
        return Admission(
            "skip", "post_reply_cap", f"post {record.media_id} already has {counts.replies_on_post} replies"
        )
    oldest = counts.oldest_private
    if (
        kind == "private"
        and oldest is not None
        and counts.private_last_hour >= limits.private_replies_per_hour
    ):
        return Admission(
            "defer",
            "private_reply_window",
            f"{counts.private_last_hour} private replies in the last hour "
            f"(limit {limits.private_replies_per_hour})",
            retry_at=oldest + timedelta(hours=1),
        )
    return Admission("send")
