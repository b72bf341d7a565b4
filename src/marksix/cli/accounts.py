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


# --- keeping an account working: pause, resume, unblock (c10health) ---------------------------
def _health_action(account_id: str, action: str, as_json: bool) -> None:
    """Run one of pause|resume|unblock on the account and print what it left."""
    from marksix.store.account_health import AccountHealth

    engine, repository = _open()
    now = dt.datetime.now(dt.UTC)
    try:
        health = AccountHealth(engine)
        waiting = 0
        if action == "pause":
            health.pause(account_id, now=now)
        elif action == "resume":
            waiting = health.resume(account_id, now=now)
        else:
            waiting = health.unblock(account_id, now=now)
        row = account_json(repository.get(account_id), now) | {"action": action, "waiting": waiting}
    finally:
        engine.dispose()
    if as_json:
        emit_json(row)
        return
    done = {"pause": "paused", "resume": "resumed", "unblock": "unblocked"}[action]
    click.echo(f"@{row['username']} {done}: status {row['status']}.")
    if action != "pause":
        click.echo(f"{waiting} waiting comment(s) go out within a minute (the running service sweeps them).")
    elif row["alert"]:
        click.echo(row["alert"])


@accounts.command("pause")
@click.argument("account_id")
@json_option
def pause(account_id: str, as_json: bool) -> None:
    """Hold every reply of an account; comments keep arriving and wait, none is lost.

    \b
    Examples:
      marksix accounts pause 17841400000000001
      marksix accounts pause 17841400000000001 --json
    """
    _health_action(account_id, "pause", as_json)


@accounts.command("resume")
@click.argument("account_id")
@json_option
def resume(account_id: str, as_json: bool) -> None:
    """Lift a pause, or try again now during a policy back-off (Instagram code 368).

    A block for another reason (a missing permission, a restricted account, a
    dead token) is not lifted here: fix it, then use `unblock`.

    \b
    Examples:
      marksix accounts resume 17841400000000001
      marksix accounts resume 17841400000000001 --json   # ... "waiting": 12
    """
    _health_action(account_id, "resume", as_json)


@accounts.command("unblock")
@click.argument("account_id")
@json_option
def unblock(account_id: str, as_json: bool) -> None:
    """Lift a block once its cause is fixed (the permission granted again, the restriction cleared).

    \b
    Examples:
      marksix accounts unblock 17841400000000001
      marksix accounts unblock 17841400000000001 --json
    """
    _health_action(account_id, "unblock", as_json)


@accounts.command("moderate")
@click.argument("account_id")
@click.option(
    "--hide-spam/--no-hide-spam",
    default=None,
    help="Hide the comments the language layer marks as spam or adverts (off by default).",
)
@json_option
def moderate(account_id: str, hide_spam: bool | None, as_json: bool) -> None:
    """Show or set an account's moderation: hiding spam and adverts, and its log.

    \b
    Examples:
      marksix accounts moderate 17841400000000001               # show the setting and the log
      marksix accounts moderate 17841400000000001 --hide-spam   # turn hiding on
      marksix accounts moderate 17841400000000001 --no-hide-spam --json
    """
    from marksix.store.account_health import AccountHealth

    engine, repository = _open()
    try:
        health = AccountHealth(engine)
        repository.get(account_id)
        if hide_spam is not None:
            health.set_hide_spam(account_id, hide_spam, now=dt.datetime.now(dt.UTC))
        entries = [entry.to_json() for entry in health.moderation(account_id).values()]
        row: dict[str, Any] = {"id": account_id, "hide_spam": health.hides_spam(account_id), "log": entries}
    finally:
        engine.dispose()
    if as_json:
        emit_json(row)
        return
    click.echo(f"hide spam and adverts: {'on' if row['hide_spam'] else 'off'}")
    for entry in entries:
        click.echo(f"  {entry['at'][:19]}  {entry['action']:9} {entry['comment_id']}  {entry['reason']}")
