"""Moderation: hide the comments the language layer marks as spam or adverts, when the account asks.

Off by default, per account (`account_health.hide_spam`). The comment is
still skipped as before; with the option on it is also hidden through
Graph (`POST /{comment-id}?hide=true`, which needs
instagram_business_manage_comments: Comment Moderation,
https://developers.facebook.com/docs/instagram-platform/comment-moderation),
and the hide is logged with its reason, so a person can undo it from the
reply log. A failed hide is logged too and never stops the pipeline.
"""

from __future__ import annotations

from typing import Any, Protocol

import structlog

from marksix.errors import ApiError
from marksix.store.account_health import AccountHealth

log = structlog.get_logger("marksix.worker.moderation")

#: The reasons `language` gives an `ignore` that mean spam or an advert (language/intents.py).
SPAM_REASONS = frozenset({"looks like spam or an advert"})


class Hiding(Protocol):
    def hide(self, comment_id: str, hidden: bool = True) -> None: ...


def is_spam(intent: str, reason: str | None) -> bool:
    return intent == "ignore" and reason in SPAM_REASONS


def moderate(
    health: AccountHealth, graph: Any, account_id: str, comment_id: str, reason: str, *, now: Any
) -> str | None:
    """Hide one spam comment if the account opted in; a note for the log, or None when not asked."""
    if not health.hides_spam(account_id):
        return None
    try:
        graph.hide(comment_id, True)
    except ApiError as error:
        note = f"hiding it failed: {error}"
        health.log_moderation(account_id, comment_id, "failed", f"{reason}; {note}", now=now)
        log.warning("hide_failed", account_id=account_id, comment_id=comment_id, error=str(error))
        return note
    health.log_moderation(account_id, comment_id, "hidden", reason, now=now)
    log.info("comment_hidden", account_id=account_id, comment_id=comment_id, reason=reason)
    return "hidden (moderation is on for this account)"


def unhide(health: AccountHealth, graph: Hiding, account_id: str, comment_id: str, *, now: Any) -> None:
    """A person's undo from the reply log: visible again, and logged."""
    graph.hide(comment_id, False)
    health.log_moderation(
        account_id, comment_id, "unhidden", "unhidden by a person from the reply log", now=now
    )
