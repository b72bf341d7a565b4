"""The dashboard's pages: overview, accounts, reply log, settings, statistics."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from marksix.errors import MarksixError
from marksix.language import INTENTS
from marksix.store.service_tables import STATES
from marksix.web import charts, i18n
from marksix.web.dashboard.core import (
    API_PREFIX,
    PREFIX,
    LoggedIn,
    dashboard_state,
    now,
    render,
    require_csrf,
    require_csrf_header,
)
from marksix.web.dashboard.picker import chosen_account
from marksix.web.dashboard.stats_view import VIEWS, stats_page

router = APIRouter(prefix=PREFIX)
REPLY_LANGUAGES = (
    ("auto", "settings.language_auto"),
    ("zh-HK", "廣東話"),
    ("zh-CN", "简体中文"),
    ("en", "English"),
)


@router.get("/", name="dashboard_overview")
def overview(request: Request, session: LoggedIn) -> Response:
    data = dashboard_state(request).data
    moment = now()
    t = i18n.translator(i18n.language_of(request))
    timeline = data.handled_timeline(moment)
    chart = (
        charts.timeline_bars(
            [float(count) for _, count in timeline],
            [start for start, _ in timeline],
            label=t("overview.timeline"),
        )
        if timeline
        else None
    )
    return render(
        request,
        "dashboard/overview.html",
        {
            "section": "overview",
            "timeline_chart": chart,
            "overview": data.overview(moment),
            "accounts": data.accounts(),
            "next_draw": data.next_draw(moment),
        },
        title_key="overview.title",
    )


@router.get("/accounts", name="dashboard_accounts")
def accounts(request: Request, session: LoggedIn) -> Response:
    data = dashboard_state(request).data
    return render(
        request,
        "dashboard/accounts.html",
        {"section": "accounts", "accounts": data.accounts()},
        title_key="accounts.title",
    )


#: Far past any real log (at 50 a page), and well inside a 64-bit SQL offset.
MAX_PAGE = 1_000_000


@router.get("/replies", name="dashboard_replies")
def replies(
    request: Request,
    session: LoggedIn,
    *,
    q: str = "",
    state: str = "",
    intent: str = "",
    account: str = "",
    page: int = 1,
) -> Response:
    data = dashboard_state(request).data
    chosen_state = state if state in STATES else None
    # NUL ends a LIKE pattern early in SQLite (so matched every row); stored text has
    # U+FFFD in its place (see the webhook parser), so search for that instead.
    q = q.replace("\x00", "\ufffd")[:200]
    page = min(max(page, 1), MAX_PAGE)  # a huge page overflowed the SQL offset
    filters = {
        "query": q.strip() or None,
        "state": chosen_state,
        "intent": intent or None,
        "account": account or None,
    }
    log = data.reply_log(
        query=filters["query"],
        state=chosen_state,
        intent=filters["intent"],
        account=filters["account"],
        page=page,
    )

    def page_url(number: int) -> str:
        kept = {
            key: value
            for key, value in (("q", q), ("state", state), ("intent", intent), ("account", account))
        }
        return f"{PREFIX}/replies?" + urlencode({**{k: v for k, v in kept.items() if v}, "page": number})

    return render(
        request,
        "dashboard/replies.html",
        {
            "section": "replies",
            "log": log,
            "filters": filters,
            "states": STATES,
            "intents": INTENTS,
            "account_names": data.account_names(),
            "page_url": page_url,
        },
        title_key="replies.title",
    )


def _languages(t: Any) -> list[tuple[str, str]]:
    return [(code, t(label) if label.startswith("settings.") else label) for code, label in REPLY_LANGUAGES]


def _settings_page(request: Request, values: Any, message: str | None = None, kind: str = "ok") -> Response:
    data = dashboard_state(request).data
    t = i18n.translator(i18n.language_of(request))
    settings = data.settings
    return render(
        request,
        "dashboard/settings.html",
        {
            "section": "settings",
            "values": values,
            "account": chosen_account(request, dashboard_state(request).data),
            "languages": _languages(t),
            "llm_configured": settings is not None and settings.llm_enabled,
            "message": message,
            "message_kind": kind,
        },
        status_code=200 if kind == "ok" else 400,
        title_key="settings.title",
    )


@router.get("/settings", name="dashboard_settings")
def settings_page(request: Request, session: LoggedIn) -> Response:
    """The settings of the account chosen in the picker: each account has its own."""
    data = dashboard_state(request).data
    return _settings_page(request, data.reply_settings(chosen_account(request, data)))


@router.post("/settings", name="dashboard_settings_submit")
def settings_submit(
    request: Request,
    session: LoggedIn,
    *,
    csrf_token: str = Form(""),
    language: str = Form("auto"),
    commenter_cooldown_seconds: str = Form("60"),
    post_reply_cap: str = Form("500"),
    llm_enabled: str = Form(""),
    reply_mode: str = Form("public"),
) -> Response:
    require_csrf(request, session, csrf_token)
    data = dashboard_state(request).data
    t = i18n.translator(i18n.language_of(request))
    account = chosen_account(request, data)
    submitted = {
        "language": language,
        "commenter_cooldown_seconds": commenter_cooldown_seconds,
        "post_reply_cap": post_reply_cap,
        "llm_enabled": llm_enabled == "1",
        "reply_mode": reply_mode,
    }
    try:
        changes = ReplySettings.model_validate(submitted).model_dump()
    except ValueError as problem:
        return _settings_page(
            request, submitted, t("settings.invalid", problem=_first_error(problem)), "error"
        )
    if account is None:
        return _settings_page(request, changes, t("settings.no_account"), "error")
    from marksix.instagram.oauth import MESSAGES
    from marksix.worker.subscriptions import SCOPES_KEY

    granted = account.settings.get(SCOPES_KEY) or []
    # Scopes unknown (a token pasted by hand) are not held against it; a known list without it is.
    if changes["reply_mode"] == "private" and granted and MESSAGES not in granted:
        return _settings_page(
            request, submitted, t("settings.no_messages_scope", username=account.username), "error"
        )
    if data.settings is None or not data.settings.llm_enabled:
        changes["llm_enabled"] = False
    if not data.save_reply_settings(changes, now(), account):
        return _settings_page(request, changes, t("overview.unavailable"), "error")
    return _settings_page(
        request,
        data.reply_settings(chosen_account(request, data)),
        t("settings.saved"),
    )


class ReplySettings(BaseModel):
    language: str = Field(pattern=r"^(auto|zh-HK|zh-CN|en)$")
    commenter_cooldown_seconds: float = Field(ge=0, le=86_400)
    post_reply_cap: int = Field(ge=1, le=100_000)
    llm_enabled: bool
    reply_mode: str = Field(default="public", pattern=r"^(public|private)$")


def _first_error(problem: ValueError) -> str:
    if isinstance(problem, ValidationError):
        first = problem.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
    return str(problem)


class PreviewRequest(BaseModel):
    comment: str = Field(min_length=1, max_length=2200)
    language: str = Field(default="auto", pattern=r"^(auto|zh-HK|zh-CN|en)$")
    username: str = Field(default="preview", max_length=30)


@router.post(f"{API_PREFIX.removeprefix(PREFIX)}/preview", name="dashboard_preview")
def preview(body: PreviewRequest, request: Request, session: LoggedIn) -> JSONResponse:
    """The reply the bot would write for a typed comment, with the chosen language."""
    require_csrf_header(request, session)
    runtime = dashboard_state(request).data.runtime
    from marksix.language import Comment, respond

    if runtime is None:
        raise HTTPException(status_code=503, detail="no reply context: the service runtime is not running")
    try:
        context = dataclasses.replace(runtime.language_context(), language=body.language)
        reply = respond(Comment(text=body.comment, username=body.username, comment_id="preview"), context)
    except MarksixError as problem:
        raise HTTPException(status_code=400, detail=str(problem)) from None
    return JSONResponse(reply.to_json())


@router.get(f"{API_PREFIX.removeprefix(PREFIX)}/summary", name="dashboard_summary")
def summary(request: Request, session: LoggedIn) -> JSONResponse:
    """Queue depth, throughput and state counts, for scripts and auto-refresh."""
    data = dashboard_state(request).data
    moment = now()
    payload = data.overview(moment).to_json()
    payload["next_draw"] = data.next_draw(moment).to_json()
    return JSONResponse(payload)


@router.get("/stats/{view}", name="dashboard_stats")
def stats(view: str, request: Request, session: LoggedIn) -> Response:
    if view not in VIEWS:
        raise HTTPException(status_code=404, detail=f"no statistics page {view!r}")
    language = i18n.language_of(request)
    t = i18n.translator(language)
    page = stats_page(view, dashboard_state(request).data.history(), t, language)
    labels = {"frequency": "stats.frequency", "gaps": "stats.gaps", "backtest": "stats.backtest"}
    labels["popularity"] = "stats.popularity"
    return render(
        request,
        "dashboard/stats.html",
        {
            "section": "stats",
            "view": view,
            "views": [(key, t(labels[key])) for key in VIEWS],
            **dataclasses.asdict(page),
            "page_title": f"{t('stats.title')}: {t(labels[view])}",
        },
    )
