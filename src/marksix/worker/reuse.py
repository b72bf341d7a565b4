"""Graph clients reused across replies: one per version of an account's row.

A thin subclass of the worker's own builder (`worker.runtime.GraphClients`),
so the behaviour is its; only how often the token is read and decrypted
changes. At 50 comments a second, reading and decrypting the token for
every Graph call cost more than the rest of the reply. (The reply context
needs no such help: `LanguageReplies` holds one DrawArchive, which reads
again only when a draw or prize figure is stored.)
"""

from __future__ import annotations

from typing import Any

from marksix.config import Settings
from marksix.store.accounts import Account, AccountRepository
from marksix.worker.runtime import GraphClients


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
