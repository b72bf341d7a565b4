"""Whether an account's webhooks still reach the app: Meta's rule for a run of failed deliveries.

Meta's Messenger Platform webhooks page (which covers Instagram
professional accounts) says: "If, after 15 minutes, we are still unable to
deliver notifications, an alert is sent to your developer account. If
delivery of a notification continues to fail for 1 hour, you will receive
a Webhooks Disabled alert, and your app will be unsubscribed from the
webhooks for the Page or Instagram Professional account."
https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks

So the run is per account and spans deliveries: it starts at the first
failed attempt after a success and ends at the next success. A plain
dataclass, so the simulator's persisted state can carry it as it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: Seconds of failing delivery before the developer alert, and before webhooks are disabled.
WARN_AFTER = 15 * 60.0
DISABLE_AFTER = 3600.0

Verdict = Literal["ok", "failing", "warn", "disable", "disabled"]


@dataclass
class AccountDeliveries:
    failing_since: float | None = None  # the sender's clock, unscaled
    failures: int = 0
    warned: bool = False
    disabled: bool = False
    last_success: float | None = None


@dataclass
class DeliveryHealth:
    """Each account's run of failed deliveries; `scale` compresses the rule like the retry schedule."""

    warn_after: float = WARN_AFTER
    disable_after: float | None = DISABLE_AFTER
    scale: float = 1.0
    accounts: dict[str, AccountDeliveries] = field(default_factory=dict)

    def delivered(self, account_id: str, now: float) -> None:
        entry = self.accounts.setdefault(account_id, AccountDeliveries())
        entry.failing_since, entry.failures, entry.warned = None, 0, False
        entry.last_success = now

    def failed(self, account_id: str, now: float) -> Verdict:
        """One more failed attempt; "warn" and "disable" are answered once per run."""
        entry = self.accounts.setdefault(account_id, AccountDeliveries())
        if entry.disabled:
            return "disabled"
        if entry.failing_since is None:
            entry.failing_since = now
        entry.failures += 1
        if self.disable_after is None:  # the rule is off (unit tests of the 36-hour schedule)
            return "failing"
        failing_for = now - entry.failing_since
        if failing_for >= self.disable_after * self.scale:
            entry.disabled = True
            return "disable"
        if not entry.warned and failing_for >= self.warn_after * self.scale:
            entry.warned = True
            return "warn"
        return "failing"

    def is_disabled(self, account_id: str) -> bool:
        entry = self.accounts.get(account_id)
        return entry is not None and entry.disabled

    def resubscribed(self, account_id: str) -> None:
        """The app subscribed the account again: a fresh start."""
        entry = self.accounts.get(account_id)
        if entry is not None and entry.disabled:
            self.accounts[account_id] = AccountDeliveries(last_success=entry.last_success)

    def to_json(self) -> dict[str, Any]:
        return {account_id: asdict(entry) for account_id, entry in self.accounts.items()}
