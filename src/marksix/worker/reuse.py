"""Per-reply work every worker does once instead: reply contexts and Graph clients.

Thin subclasses of the worker's own builders (`worker.runtime`), so the
behaviour is theirs; only how often it is recomputed changes. At 50
comments a second, opening the archive database for every reply's "next
draw", and reading and decrypting the token for every Graph call, cost more
than the rest of the reply.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from marksix.config import Settings
from marksix.store.accounts import Account, AccountRepository
from marksix.worker.runtime import GraphClients, LanguageReplies

#: How long a reply context (draw history, prizes, next draw) is reused.
CONTEXT_SECONDS = 30.0


class ReusedContexts(LanguageReplies):
    """The reply context, rebuilt every CONTEXT_SECONDS rather than for every reply.

    It is rebuilt early when the account's settings change, and once its
    draw's sales close, so "next draw" moves on at 21:15 sharp.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._contexts: dict[tuple[str, str, str], tuple[float, Any]] = {}
        self._contexts_lock = threading.Lock()

    def context(self, account: Account) -> Any:
        settings = json.dumps(dict(account.settings), sort_keys=True, default=str)
        key = (account.id, account.username, settings)
        now = time.monotonic()
        with self._contexts_lock:
            cached = self._contexts.get(key)
        if cached is not None and now - cached[0] < CONTEXT_SECONDS:
            context = cached[1]
            if self.clock() < context.next_draw.sales_close_at:
                return context
        context = super().context(account)
        with self._contexts_lock:
            self._contexts[key] = (now, context)
        return context


class ReusedGraphClients(GraphClients):
    """One Graph client per version of an account's row, without decrypting the token per call.

    Every change to the row (a new token, a block, a pause, new settings)
    moves `updated_at`, so a changed account gets its client looked up again.
    """

    def __init__(self, settings: Settings, accounts: AccountRepository) -> None:
        super().__init__(settings, accounts)
        self._latest: dict[str, tuple[Any, Any]] = {}  # account id -> (updated_at, client)

    def __call__(self, account: Account) -> Any:
        with self._lock:
            known = self._latest.get(account.id)
        if known is not None and known[0] == account.updated_at:
            return known[1]
        # The parent keeps one client per token, so a new row version reuses it.
        client = super().__call__(account)
        with self._lock:
            self._latest[account.id] = (account.updated_at, client)
        return client

    def close(self) -> None:
        super().close()
        with self._lock:
            self._latest.clear()
