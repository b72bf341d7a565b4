"""`marksix accounts`: the Instagram accounts the service answers for.

Reads the same database as `marksix serve`. The facts Graph gave when the
account was connected (subscribed webhook fields, granted scopes, token
expiry) are shown as recorded, with the alert that explains a pause or a
block. Tokens never print.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from marksix.cli.output import emit_json, json_option, table


def _open() -> tuple[Any, Any]:
    from marksix.config import load_settings
    from marksix.worker.runtime import open_store

    settings = load_settings()
    # Without MARKSIX_ENCRYPTION_KEY the sandbox's own key file is used, as `serve --sandbox` does.
    engine, _, accounts = open_store(settings, sandbox=settings.encryption_key is None)
    return engine, accounts


def account_json(account: Any, now: dt.datetime) -> dict[str, Any]:
    """The stable keys of `accounts list --json` and `accounts show --json`."""
    from marksix.worker.subscriptions import SCOPES_KEY, SUBSCRIBED_KEY
    from marksix.worker.tokens import expiry_warning

    settings = dict(account.settings)
    expires = account.token_expires_at
    return {
        "id": account.id,
        "username": account.username,
        "status": account.status,
        "subscribed_fields": list(settings.get(SUBSCRIBED_KEY) or []),
        "token_expires_at": expires.isoformat() if expires else None,
        "scopes": list(settings.get(SCOPES_KEY) or []),
        "alert": account.alert or expiry_warning(expires, now),
        "has_token": account.has_token,
        "paused_until": account.paused_until.isoformat() if account.paused_until else None,
    }


@click.group()
def accounts() -> None:
    """The connected Instagram accounts: list them, show one.

    \b
    Examples:
      marksix accounts list
      marksix accounts list --json
      marksix accounts show 17841400000000001 --json
    """


@accounts.command("list")
@json_option
def list_accounts(as_json: bool) -> None:
    """Every account with its status, webhook fields, token expiry and alert.

    \b
    Examples:
      marksix accounts list
      marksix accounts list --json   # id, username, status, subscribed_fields,
                                     # token_expires_at, scopes, alert
    """
    engine, repository = _open()
    now = dt.datetime.now(dt.UTC)
    try:
        rows = [account_json(account, now) for account in repository.all()]
    finally:
        engine.dispose()
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(
            "No account is connected. Connect one from the dashboard, or run `marksix serve --sandbox`."
        )
        return
    click.echo(
        table(
            ["id", "username", "status", "webhooks", "token expires", "alert"],
            [
                [
                    row["id"],
                    "@" + row["username"],
                    row["status"],
                    ",".join(row["subscribed_fields"]) or "NOT SUBSCRIBED",
                    (row["token_expires_at"] or "unknown")[:10],
                    row["alert"] or "",
                ]
                for row in rows
            ],
        )
    )


@accounts.command("show")
@click.argument("account_id")
@json_option
def show(account_id: str, as_json: bool) -> None:
    """One account in full.

    \b
    Examples:
      marksix accounts show 17841400000000001
      marksix accounts show 17841400000000001 --json
    """
    from marksix.errors import NotFound

    engine, repository = _open()
    try:
        account = repository.find(account_id)
        if account is None:
            raise NotFound(f"no account with id {account_id!r}; `marksix accounts list` shows them")
        row = account_json(account, dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    if as_json:
        emit_json(row)
        return
    for key, value in row.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key:18} {shown if shown not in (None, '') else '-'}")
