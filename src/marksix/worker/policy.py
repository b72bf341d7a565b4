"""Policy blocks: wait, retry by itself, and say so on the account.

Graph code 368 ("Temporarily blocked for policies violations") and the
Instagram spam block 4/2207051 mean the platform refuses the account's
actions for a while. Handling Errors says "Wait and retry the operation"
(https://developers.facebook.com/docs/graph-api/guides/error-handling/)
without saying how long, so:

- the account pauses for `policy_base`, doubled for each block in a row and
  capped at `policy_cap`, with jitter (50-100 %) from the worker's RNG so a
  fleet does not knock on Meta's door at the same second;
- every comment of the account waits for the end of the pause (deferred,
  not failed: none is lost, and none uses up an attempt);
- the account carries an alert naming the block and the next try;
- the first reply that goes through again clears the back-off and the alert.

Restrictions (code 25, subcode 2207050) are not waited out: a person must
act in the Instagram app, so they block the account like a missing permission.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import structlog

from marksix.errors import ApiError
from marksix.store.account_health import AccountHealth, PolicyState
from marksix.worker import metrics
from marksix.worker.limits import Limits, retry_delay

log = structlog.get_logger("marksix.worker.policy")


def policy_wait(strikes: int, limits: Limits, rng: random.Random) -> timedelta:
    """How long to wait after the `strikes`-th policy block in a row (bounded, jittered)."""
    return retry_delay(
        strikes, replace(limits, retry_base=limits.policy_base, retry_cap=limits.policy_cap), rng
    )


def policy_alert(error: ApiError, strikes: int, until: datetime, account_id: str) -> str:
    code = f"code {error.code}" + (f"/{error.subcode}" if error.subcode is not None else "")
    return (
        f"Instagram temporarily blocked this account's replies ({code}, block {strikes} in a row); "
        f"replies wait and are tried again automatically at {until:%Y-%m-%d %H:%M} UTC. "
        "If it keeps happening, open the account in the Instagram app; "
        f"`marksix accounts resume {account_id}` tries again sooner"
    )


def back_off(
    health: AccountHealth,
    account_id: str,
    error: ApiError,
    *,
    limits: Limits,
    now: datetime,
    rng: random.Random,
) -> PolicyState:
    """Pause the account after a policy block; the state says until when (one count per pause)."""
    state = health.policy_block(
        account_id,
        now=now,
        wait_for=lambda strikes: now + policy_wait(strikes, limits, rng),
        alert=lambda strikes, until: policy_alert(error, strikes, until, account_id),
    )
    metrics.ACCOUNT_BLOCKS.labels("policy_blocked").inc()
    log.warning(
        "account_policy_blocked",
        account_id=account_id,
        strikes=state.strikes,
        until=state.until.isoformat() if state.until else None,
        error=str(error),
    )
    return state
