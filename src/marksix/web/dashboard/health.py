"""The dashboard's side of keeping accounts working: the doctor page, pause/resume/unblock,
moderation on or off, and unhiding a comment from the reply log. Every POST checks CSRF."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from marksix.errors import InputError, MarksixError, NotFound
from marksix.store.account_health import AccountHealth
from marksix.web.dashboard.core import PREFIX, LoggedIn, dashboard_state, now, redirect, render, require_csrf

router = APIRouter(prefix=PREFIX)
ACTIONS = ("pause", "resume", "unblock", "hide-spam", "show-spam")


@router.get("/doctor", name="dashboard_doctor")
def doctor_page(request: Request, session: LoggedIn) -> Response:
    """The same checks as `marksix doctor`, against this server's public URL."""
    import httpx

    from marksix.doctor import DoctorContext, llm_probe, queue_probe, run_checks

    runtime = dashboard_state(request).data.runtime
    if runtime is None or runtime.accounts is None or runtime.comments is None:
        raise HTTPException(status_code=503, detail="the service runtime is not running")
    settings = runtime.settings
    url = settings.public_url or str(request.base_url).rstrip("/")
    accounts = runtime.accounts
    with httpx.Client(timeout=5.0, follow_redirects=False) as http:
        checks = run_checks(
            DoctorContext(
                settings=settings,
                url=url,
                http=http,
                engine=runtime.comments.engine,
                accounts=accounts,
                graph_for=lambda account: runtime.graph_client(account.id),
                queue_depth=queue_probe(settings),
                now=now(),
                llm_check=llm_probe(settings),
            )
        )
    return render(
        request,
        "dashboard/doctor.html",
        {"section": "doctor", "checks": checks, "failing": sum(1 for check in checks if not check.ok)},
        title_key="doctor.title",
    )


@router.post("/accounts/{account_id}/{action}", name="dashboard_account_action")
def account_action(
    request: Request, session: LoggedIn, account_id: str, action: str, csrf_token: str = Form("")
) -> Response:
    require_csrf(request, session, csrf_token)
    if action not in ACTIONS:
        raise HTTPException(status_code=404, detail=f"no account action {action!r}")
    health = _health(request)
    moment = now()
    try:
        if action == "pause":
            health.pause(account_id, now=moment)
        elif action == "resume":
            health.resume(account_id, now=moment)
        elif action == "unblock":
            health.unblock(account_id, now=moment)
        else:
            health.set_hide_spam(account_id, action == "hide-spam", now=moment)
    except NotFound as problem:
        raise HTTPException(status_code=404, detail=str(problem)) from None
    except InputError as problem:
        raise HTTPException(status_code=409, detail=str(problem)) from None
    return redirect(request, f"{PREFIX}/accounts?done={quote(action)}")


@router.post("/replies/{account_id}/{comment_id}/unhide", name="dashboard_unhide")
def unhide_comment(
    request: Request, session: LoggedIn, account_id: str, comment_id: str, csrf_token: str = Form("")
) -> Response:
    """Make a hidden comment visible again on Instagram, and log it."""
    from marksix.worker.moderation import unhide

    require_csrf(request, session, csrf_token)
    health = _health(request)
    entry = health.moderation(account_id, [comment_id]).get(comment_id)
    if entry is None or entry.action != "hidden":
        raise HTTPException(status_code=409, detail="this comment was not hidden by moderation")
    runtime = dashboard_state(request).data.runtime
    assert runtime is not None  # _health checked it
    try:
        unhide(health, runtime.graph_client(account_id), account_id, comment_id, now=now())
    except MarksixError as problem:
        raise HTTPException(status_code=502, detail=f"Instagram refused to unhide it: {problem}") from None
    return redirect(request, f"{PREFIX}/replies?q={quote(comment_id)}")


def _health(request: Request) -> AccountHealth:
    runtime = dashboard_state(request).data.runtime
    if runtime is None or runtime.comments is None:
        raise HTTPException(status_code=503, detail="the service runtime is not running")
    return AccountHealth(runtime.comments.engine)
