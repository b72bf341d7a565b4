"""Keep Instagram Login tokens alive: refresh them before their 60 days run out.

A long-lived token can be refreshed once it is a day old and until it
expires; an expired one needs a person to log in again (Refresh Access
Token reference: "at least 24 hours old but has not expired"). Once a day,
every active account whose token expires within `refresh_before` gets a new
one (GET /refresh_access_token), and the answer's `expires_in` becomes its
expiry. A token of unknown expiry (imported from the environment) is
refreshed too when `refresh_unknown` (Instagram Login), which is how its
expiry becomes known; a refusal because it is under a day old is retried
the next day. Facebook Login Page tokens do not expire and are left alone.
A token the platform refuses blocks the account with an alert, exactly as
a failed reply would. Tokens within `warn_before` of expiry are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from marksix.errors import ApiError, ConfigError, TokenExpired
from marksix.store.accounts import AccountRepository
from marksix.worker import metrics
from marksix.worker.service import Clock, GraphFor, utc_now

log = structlog.get_logger("marksix.worker.tokens")

#: The dashboard and `doctor` warn this long before a token expires.
WARN_BEFORE = timedelta(days=10)


def expiry_warning(
    expires: datetime | None, now: datetime, warn_before: timedelta = WARN_BEFORE
) -> str | None:
    """A line for a token that has expired or expires within `warn_before`; None otherwise."""
    if expires is None:
        return None
    left = expires - now
    if left <= timedelta(0):
        return f"the access token expired on {expires:%Y-%m-%d}; connect the account again"
    if left <= warn_before:
        return (
            f"the access token expires on {expires:%Y-%m-%d} (in {left.days} days) "
            "and could not be renewed yet"
        )
    return None


@dataclass(frozen=True)
class RefreshResult:
    refreshed: list[str] = field(default_factory=list)  # account ids
    problems: list[str] = field(default_factory=list)
    expiring: list[str] = field(default_factory=list)  # "@user: expires ..." within warn_before

    def to_json(self) -> dict[str, Any]:
        return {"refreshed": len(self.refreshed), "problems": self.problems, "expiring": self.expiring}


class TokenRefresher:
    def __init__(
        self,
        accounts: AccountRepository,
        *,
        graph_for: GraphFor,
        clock: Clock = utc_now,
        refresh_before: timedelta = timedelta(days=20),
        refresh_unknown: bool = False,
        warn_before: timedelta = WARN_BEFORE,
    ) -> None:
        self.accounts = accounts
        self.graph_for = graph_for
        self.clock = clock
        self.refresh_before = refresh_before
        self.refresh_unknown = refresh_unknown
        self.warn_before = warn_before

    def refresh(self) -> RefreshResult:
        result = RefreshResult()
        for account in self.accounts.all():
            expires = account.token_expires_at
            if account.blocked or not account.has_token or (expires is None and not self.refresh_unknown):
                continue
            now = self.clock()
            if expires is not None and expires - now > self.refresh_before:
                continue
            try:
                answer = self.graph_for(account).refresh_access_token()
                token, lifetime = answer.get("access_token"), answer.get("expires_in")
                if not isinstance(token, str) or not token:
                    raise ConfigError("the refresh answer carried no access_token")
            except TokenExpired as error:
                alert = f"the access token expired before it could be refreshed ({error}); store a new token"
                if self.accounts.block(account.id, alert, now=now):
                    metrics.ACCOUNT_BLOCKS.labels("token_expired").inc()
                    log.error("account_blocked", account_id=account.id, alert=alert)
                result.problems.append(f"{account.username}: {alert}")
                continue
            except (ApiError, ConfigError) as error:
                # Too young to refresh, a Facebook Login token, a hiccup: try again tomorrow.
                log.warning("token_refresh_failed", account_id=account.id, error=str(error))
                result.problems.append(f"{account.username}: {type(error).__name__}: {error}")
                warning = expiry_warning(expires, now, self.warn_before)
                if warning is not None:
                    log.warning("token_expiring", account_id=account.id, warning=warning)
                    result.expiring.append(f"@{account.username}: {warning}")
                continue
            new_expiry = (
                now + timedelta(seconds=float(lifetime)) if isinstance(lifetime, int | float) else None
            )
            self.accounts.set_token(account.id, token, now=now, expires_at=new_expiry)
            log.info(
                "token_refreshed",
                account_id=account.id,
                expires_at=new_expiry.isoformat() if new_expiry else None,
            )
            result.refreshed.append(account.id)
        return result
