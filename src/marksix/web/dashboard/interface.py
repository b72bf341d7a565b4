"""What the dashboard needs from the service, as a typed interface, and a null version of it.

The dashboard reads the runtime through `DashboardRuntime` only, so mypy
checks every reach into it (a misspelt attribute no longer passes as
None). `web.runtime.Runtime` is the real one; `NullRuntime` has no store
and no Graph client, for tests and for a dashboard mounted without a
service: the pages then say what is unavailable instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from marksix.errors import ConfigError, NotFound

if TYPE_CHECKING:
    from marksix.config import Settings
    from marksix.store.accounts import Account, AccountRepository
    from marksix.store.comments import CommentRepository


class DashboardGraph(Protocol):
    """The Graph API calls the dashboard makes (instagram.graph.GraphClient has them)."""

    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]: ...
    def me(self, fields: str = ...) -> dict[str, Any]: ...
    def hide(self, comment_id: str, hidden: bool = True) -> None: ...
    def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str: ...


class DashboardRuntime(Protocol):
    """The parts of the running service the dashboard reads and calls."""

    @property
    def settings(self) -> Settings: ...
    @property
    def comments(self) -> CommentRepository | None: ...
    @property
    def accounts(self) -> AccountRepository | None: ...
    @property
    def home(self) -> Path | None: ...
    @property
    def sandbox(self) -> bool: ...
    @property
    def public_url(self) -> str | None:
        """How Instagram reaches this server (published card images); None: the request's own URL."""
        ...

    def usage_by_account(self) -> Mapping[str, float]: ...
    def graph_client(self, account_id: str) -> DashboardGraph: ...
    def primary_account(self) -> Account | None: ...
    def language_context(self, account: Account | None = None) -> Any:
        """The reply context (language.ReplyContext) of an account, the first by default."""
        ...


@dataclass
class NullRuntime:
    """A `DashboardRuntime` with nothing behind it but settings (and, if given, repositories)."""

    settings: Settings
    comments: CommentRepository | None = None
    accounts: AccountRepository | None = None
    sandbox: bool = False
    public_url: str | None = None

    @property
    def home(self) -> Path | None:
        return self.settings.home

    def usage_by_account(self) -> Mapping[str, float]:
        return {}

    def graph_client(self, account_id: str) -> DashboardGraph:
        raise ConfigError("the service runtime has no Graph API client")

    def primary_account(self) -> Account | None:
        every = self.accounts.all() if self.accounts is not None else []
        return every[0] if every else None

    def language_context(self, account: Account | None = None) -> Any:
        raise NotFound("no reply context: the service runtime is not running")
