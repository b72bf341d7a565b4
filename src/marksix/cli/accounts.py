"""`marksix accounts`: the Instagram accounts the service answers for.

Reads the same database as `marksix serve`. The facts Graph gave when the
account was connected (subscribed webhook fields, granted scopes, token
expiry) are shown as recorded, with the alert that explains a pause or a
block. Tokens never print.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
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


# --- connecting accounts: connect, add, subscribe, remove ------------------------------------
# (pause, resume and unblock live in their own functions below these.)


@accounts.command("connect")
@click.option(
    "--url",
    default=None,
    help="Where the running server is, as the admin's browser reaches it (default: MARKSIX_PUBLIC_URL).",
)
@json_option
def connect_account(url: str | None, as_json: bool) -> None:
    """Print the link that connects an account with Business Login for Instagram.

    Open it in the browser where you are logged in to the dashboard: the
    running server makes a `state` bound to that session and sends you to
    Instagram's authorization window; after you allow access, Instagram
    redirects back to the server, which exchanges the code for a long-lived
    token, stores it encrypted with its expiry and permissions, and
    subscribes the account to comment webhooks. Needs MARKSIX_INSTAGRAM_APP_ID,
    the Instagram app secret and an https MARKSIX_PUBLIC_URL, whose
    /dashboard/accounts/callback must be a Valid OAuth Redirect URI of the app.

    \b
    Examples:
      marksix accounts connect
      marksix accounts connect --url https://bot.example.com --json
      # keys: connect_url, redirect_uri, scopes, authorize_url
    """
    from marksix.config import load_settings
    from marksix.worker.connect import ConnectConfig

    settings = load_settings()
    config = ConnectConfig.from_settings(settings, public_url=url)
    base = (url or settings.public_url or "").rstrip("/")
    row = {
        "connect_url": f"{base}/dashboard/accounts/connect",
        "redirect_uri": config.redirect_uri,
        "scopes": list(config.scopes),
        "authorize_url": config.authorize_url,
    }
    if as_json:
        emit_json(row)
        return
    click.echo("Open this link where you are logged in to the dashboard:")
    click.echo(f"  {row['connect_url']}")
    click.echo(f"It sends you to {config.authorize_url} asking for: {', '.join(config.scopes)}")
    click.echo(f"Instagram returns to {config.redirect_uri} (list it under Valid OAuth Redirect URIs).")


@accounts.command("add")
@click.option(
    "--token",
    prompt="Access token",
    hide_input=True,
    help="An Instagram User access token from the App Dashboard (asked for, hidden, when left out).",
)
@click.option(
    "--scopes",
    default="",
    help="The permissions you granted the token, comma-separated (Instagram Login cannot report them).",
)
@json_option
def add_account(token: str, scopes: str, as_json: bool) -> None:
    """Connect an account with a token made in Meta's App Dashboard.

    The token is exchanged for a long-lived one (ig_exchange_token, 60 days)
    and the new expiry is recorded; `GET /me` gives the account's user_id and
    username; the token is stored encrypted and the account is subscribed to
    its webhook fields. The token never prints.

    \b
    Examples:
      marksix accounts add                        # asks for the token, hidden
      marksix accounts add --token IGAA... --json
      marksix accounts add --scopes instagram_business_basic,instagram_business_manage_comments
    """
    from pydantic import SecretStr

    from marksix.config import load_settings
    from marksix.worker.connect import ConnectConfig, connect_with_token

    settings = load_settings()
    config = ConnectConfig.for_tokens(settings)
    granted = tuple(name.strip() for name in scopes.split(",") if name.strip())
    engine, repository = _open()
    try:
        with config.oauth_client() as oauth, contextlib.redirect_stdout(sys.stderr):
            connected = connect_with_token(
                oauth,
                repository,
                config.graph_for_token,
                SecretStr(token.strip()),
                now=dt.datetime.now(dt.UTC),
                scopes=granted,
            )
        row = {**account_json(connected.account, dt.datetime.now(dt.UTC)), "problem": connected.problem}
    finally:
        engine.dispose()
    _report_connection(row, as_json, verb="Added")


@accounts.command("subscribe")
@click.argument("account_id")
@json_option
def subscribe_account(account_id: str, as_json: bool) -> None:
    """Subscribe an account to its webhook fields again (POST subscribed_apps), and read them back.

    Without a subscription Instagram sends no comment at all; `serve` does this
    for every account at each start, this does it now.

    \b
    Examples:
      marksix accounts subscribe 17841400000000001
      marksix accounts subscribe 17841400000000001 --json
    """
    from marksix.config import load_settings
    from marksix.errors import NotFound
    from marksix.worker.runtime import GraphClients
    from marksix.worker.subscriptions import connect_accounts, record

    settings = load_settings()
    engine, repository = _open()
    clients = GraphClients(settings, repository)
    try:
        account = repository.find(account_id)
        if account is None:
            raise NotFound(f"no account with id {account_id!r}; `marksix accounts list` shows them")
        with contextlib.redirect_stdout(sys.stderr):  # log lines off stdout, the answer's
            connections = connect_accounts([account], clients)
        if not connections:
            from marksix.errors import InputError

            raise InputError(f"@{account.username} is blocked or has no token; connect it again first")
        connection = connections[0]
        now = dt.datetime.now(dt.UTC)
        record(repository, connection, now=now)
        row = {**account_json(repository.get(account_id), now), "problem": connection.problem}
    finally:
        clients.close()
        engine.dispose()
    _report_connection(row, as_json, verb="Subscribed")


@accounts.command("remove")
@click.argument("account_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def remove_account(account_id: str, yes: bool, as_json: bool) -> None:
    """Forget an account: its token and settings are deleted here (its reply log stays).

    Instagram keeps the app's permission until the account removes the app
    in its own settings (Settings > Apps and websites).

    \b
    Examples:
      marksix accounts remove 17841400000000001          # asks first
      marksix accounts remove 17841400000000001 --yes --json
    """
    from marksix.errors import NotFound

    engine, repository = _open()
    try:
        account = repository.find(account_id)
        if account is None:
            raise NotFound(f"no account with id {account_id!r}; `marksix accounts list` shows them")
        if not yes:
            click.confirm(f"Remove @{account.username} ({account.id}) and its stored token?", abort=True)
        repository.delete(account.id)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"id": account.id, "username": account.username, "removed": True})
        return
    click.echo(f"Removed @{account.username} ({account.id}).")


def _report_connection(row: dict[str, Any], as_json: bool, *, verb: str) -> None:
    """The account as `show` prints it; exit 1 when the webhook subscription did not hold."""
    if as_json:
        emit_json(row)
    else:
        fields = ", ".join(row["subscribed_fields"]) or "NOT SUBSCRIBED"
        click.echo(
            f"{verb} @{row['username']} ({row['id']}): {row['status']}, webhooks {fields}, "
            f"token expires {row['token_expires_at'] or 'unknown'}, "
            f"scopes {', '.join(row['scopes']) or 'unknown'}"
        )
    if row["problem"]:
        if not as_json:
            click.echo(f"Problem: {row['problem']}", err=True)
        raise SystemExit(1)


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
