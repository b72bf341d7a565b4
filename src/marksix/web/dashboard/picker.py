"""The account the dashboard works on: chosen in the picker, remembered in a cookie.

The settings page and the post page act on this account. The cookie holds
only an account id; an id that is not (or no longer) stored falls back to the
service's primary account, so a stale cookie can never aim at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from marksix.store.accounts import Account
    from marksix.web.dashboard.data import DashboardData

ACCOUNT_COOKIE = "marksix_account"


@dataclass(frozen=True, slots=True)
class Picker:
    choices: list[tuple[str, str]]  # (id, username)
    chosen: str | None


def chosen_account(request: Request, data: DashboardData) -> Account | None:
    repository = data.accounts_repository
    wanted = request.cookies.get(ACCOUNT_COOKIE)
    if repository is not None and wanted:
        found = repository.find(wanted[:64])
        if found is not None:
            return found
    return data.primary_account()


def picker(request: Request, data: DashboardData) -> Picker:
    repository = data.accounts_repository
    every = repository.all() if repository is not None else []
    chosen = chosen_account(request, data) if every else None
    return Picker([(account.id, account.username) for account in every], chosen.id if chosen else None)
