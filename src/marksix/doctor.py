"""`marksix doctor`: what going live needs, checked one by one, each ok or with its fix.

One implementation for the CLI (`marksix doctor`) and the dashboard's
doctor page. Everything that talks to the world comes in through
`DoctorContext` (an httpx client to reach the server, Graph clients per
account, the store, the queue), so tests run it against the sandbox.

On the sandbox (the server's /healthz says so) the checks that only make
sense for a real account say so, and count as ok: HTTPS, the sandbox
secrets. The rest run against the simulator exactly as against Instagram.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine, func, select, text

from marksix.config import Settings
from marksix.errors import ApiError, ConfigError, MarksixError, TokenExpired
from marksix.golive import real_mode_problems
from marksix.store.accounts import Account, AccountRepository
from marksix.store.service_tables import comments
from marksix.worker.subscriptions import SCOPES_KEY, SUBSCRIBED_KEY, WEBHOOK_FIELDS
from marksix.worker.tokens import expiry_warning

#: The route of web/webhook_routes.py, not imported so the CLI need not load the web app
#: (a test keeps the two equal).
WEBHOOK_PATH = "/webhooks/instagram"
#: Scopes by feature (Business Login for Instagram permissions).
BASIC = "instagram_business_basic"
COMMENTS = "instagram_business_manage_comments"
PUBLISH = "instagram_business_content_publish"
MESSAGES = "instagram_business_manage_messages"
PROFESSIONAL_TYPES = frozenset({"BUSINESS", "MEDIA_CREATOR"})
NOT_ON_SANDBOX = "does not apply on the sandbox"


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


class DoctorGraph(Protocol):
    """The Graph calls the doctor makes (instagram.graph.GraphClient has them)."""

    def me(self, fields: str = ...) -> dict[str, Any]: ...
    def subscriptions(self, ig_user_id: str) -> list[dict[str, Any]]: ...


@dataclass
class DoctorContext:
    settings: Settings
    url: str | None  # where the running server is (default: settings.public_url)
    http: httpx.Client  # reaches the server, and the LLM endpoint
    engine: Engine | None
    accounts: AccountRepository | None
    graph_for: Callable[[Account], Any]  # a DoctorGraph per account
    queue_depth: Callable[[], int]  # raises when the queue cannot be read
    now: datetime
    llm_check: Callable[[], None] | None = None  # raises when the LLM does not answer


def run_checks(context: DoctorContext) -> list[Check]:
    """Every check, in the order a person would fix them."""
    url = (context.url or context.settings.public_url or "").rstrip("/") or None
    health = _healthz(context.http, url)
    sandbox = health is not None and health.get("mode") == "sandbox"
    checks = [_public_url(url, sandbox), _handshake(context, url), *_secrets(context.settings, sandbox)]
    simulator = _simulator_state(context.http, url) if sandbox else None
    checks.extend(_account_checks(context, simulator))
    checks.append(_draw_results(health, sandbox))
    checks.append(_llm(context))
    checks.extend(_store_and_queue(context))
    return checks


def all_ok(checks: Sequence[Check]) -> bool:
    return all(check.ok for check in checks)


# --- the server -------------------------------------------------------------------
def _healthz(http: httpx.Client, url: str | None) -> dict[str, Any] | None:
    if url is None or not url.startswith(("http://", "https://")):
        return None
    try:
        answer = http.get(f"{url}/healthz")
        body = answer.json()
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _public_url(url: str | None, sandbox: bool) -> Check:
    name = "public URL is HTTPS"
    if url is None:
        return Check(
            name, False, "no public URL is set", "set MARKSIX_PUBLIC_URL=https://your.host (or pass --url)"
        )
    if not url.startswith(("http://", "https://")):
        return Check(name, False, f"{url!r} is not a web address", "give it as https://your.host")
    if sandbox:
        return Check(name, True, f"{url}: {NOT_ON_SANDBOX} (Instagram needs HTTPS)")
    if not url.startswith("https://"):
        return Check(
            name,
            False,
            f"{url} is not HTTPS; Instagram sends webhooks only to HTTPS",
            "serve behind a TLS proxy (Caddy, nginx, a tunnel) "
            "and set MARKSIX_PUBLIC_URL to its https:// address",
        )
    return Check(name, True, url)


def _handshake(context: DoctorContext, url: str | None) -> Check:
    """Meta's verification GET, with a nonce of our own: only this server, with our verify
    token, can echo it back."""
    name = "webhook handshake reaches this server"
    if url is None or not url.startswith(("http://", "https://")):
        return Check(
            name, False, "no web address to try", "set MARKSIX_PUBLIC_URL (or pass --url) to https://…"
        )
    nonce = str(secrets.randbelow(9 * 10**12) + 10**12)
    params = {
        "hub.mode": "subscribe",
        "hub.challenge": nonce,
        "hub.verify_token": context.settings.verify_token.get_secret_value(),
    }
    target = f"{url}{WEBHOOK_PATH}"
    try:
        answer = context.http.get(target, params=params)
    except (httpx.HTTPError, httpx.InvalidURL) as problem:
        return Check(
            name,
            False,
            f"nothing answered at {target}: {type(problem).__name__}",
            "start `marksix serve` and check that the address (DNS, proxy, firewall) reaches it",
        )
    if answer.status_code == 200 and answer.text == nonce:
        return Check(name, True, f"GET {target} echoed the challenge")
    if answer.status_code == 403:
        return Check(
            name,
            False,
            f"{target} refused the verify token (HTTP 403)",
            "use the same MARKSIX_VERIFY_TOKEN here, on the server and in Meta's App Dashboard",
        )
    return Check(
        name,
        False,
        f"{target} answered HTTP {answer.status_code} without the challenge",
        "point the address at `marksix serve` (the proxy must pass /webhooks/instagram through)",
    )


def _secrets(settings: Settings, sandbox: bool) -> list[Check]:
    problems = real_mode_problems(settings)
    checks = []
    for variable, label in (("MARKSIX_APP_SECRET", "app secret"), ("MARKSIX_VERIFY_TOKEN", "verify token")):
        problem = next((line for line in problems if line.startswith(variable)), None)
        name = f"{label} is set"
        if problem is None:
            checks.append(Check(name, True, f"{variable} is set (not printed)"))
        elif sandbox:
            checks.append(
                Check(name, True, f"{variable}: the public sandbox value; fine here, refused in real mode")
            )
        else:
            fix = (
                "the Instagram app secret from the App Dashboard (Instagram > API setup with Instagram login)"
                if label == "app secret"
                else "a long random string, also entered as the Verify token in the App Dashboard"
            )
            checks.append(Check(name, False, problem, f"set {variable} to {fix}"))
    return checks


def _simulator_state(http: httpx.Client, url: str | None) -> dict[str, Any] | None:
    try:
        body = http.get(f"{url}/sandbox/api/state").json()
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        return None
    return body if isinstance(body, dict) else None


# --- accounts ---------------------------------------------------------------------
def required_scopes(settings: Settings, account: Account) -> list[str]:
    """What the enabled features need: comments always; posts need a public URL for the image;
    private replies need messaging."""
    needed = [BASIC, COMMENTS]
    if settings.public_url:
        needed.append(PUBLISH)
    if account.settings.get("reply_mode") == "private":
        needed.append(MESSAGES)
    return needed


def _account_checks(context: DoctorContext, simulator: dict[str, Any] | None) -> list[Check]:
    repository = context.accounts
    if repository is None:
        return []
    every = repository.all()
    if not every:
        return [
            Check(
                "an account is connected",
                False,
                "no Instagram account is connected",
                "connect one from the dashboard (Accounts > Connect) or with `marksix accounts connect`",
            )
        ]
    checks: list[Check] = []
    for account in every:
        checks.extend(_one_account(context, account, simulator))
    return checks


def _one_account(context: DoctorContext, account: Account, simulator: dict[str, Any] | None) -> list[Check]:
    who = f"@{account.username}"
    reconnect = f"connect {who} again (dashboard Accounts > Connect, or `marksix accounts connect`)"
    checks: list[Check] = []
    if account.blocked:
        checks.append(Check(f"{who}: replying", False, account.alert or "blocked", _unblock_fix(account)))
    elif account.alert:
        checks.append(
            Check(f"{who}: replying", False, account.alert, f"`marksix accounts resume {account.id}`")
        )
    if not account.has_token:
        checks.append(Check(f"{who}: token", False, "no access token is stored", reconnect))
        return checks
    try:
        graph = context.graph_for(account)
        me = graph.me("user_id,username,account_type")
    except TokenExpired as problem:
        checks.append(Check(f"{who}: token", False, f"Instagram refused the token: {problem}", reconnect))
        return checks
    except (ApiError, ConfigError) as problem:
        checks.append(
            Check(
                f"{who}: token", False, f"could not ask Instagram: {problem}", "check the network, then retry"
            )
        )
        return checks
    checks.append(_token(account, context.now, reconnect))
    checks.append(_scopes(context.settings, account, reconnect))
    fields, subscribed = _subscribed(graph, account)
    checks.append(subscribed)
    account_type = str(me.get("account_type") or "unknown")
    checks.append(
        Check(f"{who}: professional account", True, account_type)
        if account_type in PROFESSIONAL_TYPES
        else Check(
            f"{who}: professional account",
            False,
            f"account_type is {account_type}",
            "switch it to a Business or Creator account in the Instagram app (Settings > Account type)",
        )
    )
    checks.append(_webhooks(context, account, fields, simulator))
    return checks


def _unblock_fix(account: Account) -> str:
    return (
        f"fix what the alert says, then `marksix accounts unblock {account.id}` (or the dashboard's Unblock)"
    )


def _token(account: Account, now: datetime, reconnect: str) -> Check:
    name = f"@{account.username}: token"
    expires = account.token_expires_at
    if expires is None:
        return Check(name, True, "valid; expiry not known yet (the daily refresh learns it)")
    warning = expiry_warning(expires, now)
    if warning is not None:
        return Check(name, False, warning, f"the worker refreshes tokens daily; if it cannot, {reconnect}")
    return Check(name, True, f"valid until {expires:%Y-%m-%d} ({(expires - now).days} days)")


def _scopes(settings: Settings, account: Account, reconnect: str) -> Check:
    name = f"@{account.username}: permissions"
    granted = [str(scope) for scope in account.settings.get(SCOPES_KEY) or ()]
    needed = required_scopes(settings, account)
    if not granted:
        return Check(name, False, "the granted permissions were not recorded", reconnect)
    missing = [scope for scope in needed if scope not in granted]
    if missing:
        return Check(
            name, False, f"missing {', '.join(missing)}", f"{reconnect}, granting {', '.join(missing)}"
        )
    return Check(name, True, ", ".join(needed))


def _subscribed(graph: DoctorGraph, account: Account) -> tuple[list[str], Check]:
    from marksix.worker.subscriptions import subscribed_fields

    name = f"@{account.username}: webhook fields"
    fix = f"`marksix accounts subscribe {account.id}`"
    try:
        fields = subscribed_fields(graph.subscriptions(account.id))
    except MarksixError as problem:
        return [], Check(name, False, f"GET subscribed_apps failed: {problem}", fix)
    if "comments" not in fields:
        shown = ", ".join(fields) or "nothing"
        return fields, Check(
            name, False, f"subscribed to {shown}; comments will not arrive (only the 5-minute poller)", fix
        )
    missing = [name for name in WEBHOOK_FIELDS if name not in fields]
    detail = ", ".join(fields) + (f" (not {', '.join(missing)})" if missing else "")
    return fields, Check(name, True, detail)


def _webhooks(
    context: DoctorContext, account: Account, fields: list[str], simulator: dict[str, Any] | None
) -> Check:
    """When the last webhook arrived, and whether Meta disabled them after failed deliveries."""
    name = f"@{account.username}: webhooks arriving"
    last = _last_webhook(context.engine, account.id)
    seen = f"last webhook {last:%Y-%m-%d %H:%M} UTC" if last else "no webhook has arrived yet"
    fix = (
        "fix the endpoint (the handshake above must pass and each POST must get 200 within 5 s), "
        f"then re-subscribe: `marksix accounts subscribe {account.id}`"
    )
    health = ((simulator or {}).get("delivery_health") or {}).get(account.id) or {}
    if health.get("disabled"):
        return Check(
            name, False, f"Meta disabled this account's webhooks after failed deliveries; {seen}", fix
        )
    recorded = account.settings.get(SUBSCRIBED_KEY) or []
    if recorded and "comments" not in fields:
        return Check(
            name,
            False,
            "the account was subscribed but no longer is (unsubscribed, or disabled by Meta after an "
            f"hour of failed deliveries); {seen}",
            fix,
        )
    if health.get("failing"):
        return Check(name, False, f"deliveries are failing ({health.get('failures')} attempts); {seen}", fix)
    return Check(name, True, seen)


def _last_webhook(engine: Engine | None, account_id: str) -> datetime | None:
    if engine is None:
        return None
    with engine.connect() as connection:
        value = connection.execute(
            select(func.max(comments.c.received_at)).where(
                comments.c.account_id == account_id, comments.c.source == "webhook"
            )
        ).scalar_one_or_none()
    return _aware(value)


def _aware(value: Any) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- the rest -----------------------------------------------------------------------
def _draw_results(health: dict[str, Any] | None, sandbox: bool) -> Check:
    """How far the running server's archive is behind the draw calendar (its /healthz says)."""
    name = "draw results are up to date"
    archive = (health or {}).get("archive")
    if not isinstance(archive, dict):
        return Check(name, True, "not checked: the server reports no results poller")
    behind = int(archive.get("draws_behind") or 0)
    latest = archive.get("latest_draw_date") or "none"
    if behind == 0:
        return Check(name, True, f"the latest draw is in (of {latest})")
    lag = f"{behind} draw(s) behind the calendar since {str(archive.get('behind_since'))[:10]}"
    if sandbox:
        return Check(name, True, f"{lag}: {NOT_ON_SANDBOX} (its draws come from the sandbox's Draw button)")
    return Check(
        name,
        False,
        f"{lag}; the latest it knows is of {latest}, and replies say so",
        "run `marksix draws update`, and check that the results poller runs "
        "(MARKSIX_HKJC_POLL, or `marksix scheduler` beside --web-only servers)",
    )


def _llm(context: DoctorContext) -> Check:
    name = "LLM endpoint answers"
    settings = context.settings
    if not settings.llm_enabled or context.llm_check is None:
        return Check(name, True, "not configured: replies use the reviewed templates")
    try:
        context.llm_check()
    except MarksixError as problem:
        return Check(
            name,
            False,
            f"{settings.llm_base_url}: {problem}",
            "check MARKSIX_LLM_BASE_URL, MARKSIX_LLM_MODEL and MARKSIX_LLM_API_KEY "
            "(meanwhile replies fall back to templates)",
        )
    return Check(name, True, f"{settings.llm_base_url} ({settings.llm_model}) answered")


def _store_and_queue(context: DoctorContext) -> list[Check]:
    checks = []
    if context.engine is None:
        checks.append(Check("database", False, "not opened", "check MARKSIX_DATABASE_URL"))
    else:
        try:
            with context.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks.append(Check("database", True, context.engine.dialect.name))
        except Exception as problem:
            checks.append(
                Check("database", False, f"{type(problem).__name__}: {problem}", "check MARKSIX_DATABASE_URL")
            )
    try:
        depth = context.queue_depth()
        checks.append(Check("queue", True, f"{depth} task(s) pending"))
    except Exception as problem:
        checks.append(
            Check(
                "queue",
                False,
                f"{type(problem).__name__}: {problem}",
                "check MARKSIX_REDIS_URL (or the data folder)",
            )
        )
    return checks


def format_checks(checks: Sequence[Check]) -> str:
    """Plain text: one line per check, its fix under it."""
    lines = []
    for check in checks:
        lines.append(f"{'ok  ' if check.ok else 'FIX '} {check.check}: {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"     -> {check.fix}")
    failing = sum(1 for check in checks if not check.ok)
    lines.append("All checks pass." if not failing else f"{failing} check(s) need a fix.")
    return "\n".join(lines)


def llm_probe(settings: Settings, http: httpx.Client | None = None) -> Callable[[], None] | None:
    """A one-token completion against the configured endpoint, or None when there is none."""
    from marksix.llm import config_from_settings
    from marksix.llm.client import complete

    config = config_from_settings(settings)
    if config is None:
        return None

    def probe() -> None:
        complete(
            [{"role": "user", "content": "Reply with the word ok."}], config, http_client=http, max_tokens=5
        )

    return probe


def queue_probe(settings: Settings) -> Callable[[], int]:
    """Pending tasks in the configured queue (Redis or the SQLite file); raises when unreadable."""

    def depth() -> int:
        from marksix.worker.queue import make_huey

        return int(make_huey(settings).pending_count())

    return depth
