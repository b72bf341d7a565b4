"""The dashboard's autopilot page: each account's post schedule, a preview of the
posts, their history with status, how far the archive is behind, and the record chart.

Everything is read from the app's one `Autopilot` (app.state.autopilot), the
same object whose thread publishes the posts and whose staleness /healthz
reports, so the page and the service never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marksix.autopilot.post_store import PostRepository, parse_time
from marksix.autopilot.record_chart import record_chart
from marksix.autopilot.record_page import chart_points
from marksix.autopilot.record_store import RecordRepository
from marksix.domain.calendar import SALES_CLOSE
from marksix.errors import InputError, MarksixError
from marksix.store.record_tables import POST_KINDS
from marksix.web import i18n
from marksix.web.dashboard.core import PREFIX, LoggedIn, dashboard_state, now, redirect, render, require_csrf

if TYPE_CHECKING:
    from marksix.autopilot.service import Autopilot

router = APIRouter(prefix=PREFIX)


def _autopilot(request: Request) -> Autopilot | None:
    found: Autopilot | None = getattr(request.app.state, "autopilot", None)
    return found


@router.get("/autopilot", name="dashboard_autopilot")
def autopilot_page(request: Request, session: LoggedIn, saved: str = "") -> Response:
    t = i18n.translator(i18n.language_of(request))
    return _page(request, t("autopilot.saved") if saved else None, "ok")


def _page(request: Request, message: str | None, kind: str, status_code: int = 200) -> Response:
    t = i18n.translator(i18n.language_of(request))
    autopilot = _autopilot(request)
    context: dict[str, Any] = {
        "section": "autopilot",
        "message": message,
        "message_kind": kind,
        "available": autopilot is not None and autopilot.posts is not None,
        "kinds": POST_KINDS,
    }
    if autopilot is not None:
        context |= _autopilot_context(request, autopilot, t)
    return render(
        request, "dashboard/autopilot.html", context, status_code=status_code, title_key="autopilot.title"
    )


def _autopilot_context(request: Request, autopilot: Autopilot, t: Any) -> dict[str, Any]:
    moment = now()
    ledgers = RecordRepository(autopilot.engine).all()
    context: dict[str, Any] = {
        "staleness": autopilot.staleness(),
        "chart": record_chart(chart_points(ledgers), label=t("autopilot.chart")),
        "history": PostRepository(autopilot.engine).history(limit=50),
        "alerts": autopilot.post_alerts(),
    }
    posts = autopilot.posts
    if posts is None:
        return context
    accounts = posts.publishing.accounts.all()
    context["schedules"] = [(account, posts.schedules(account.id)) for account in accounts]
    context["preview"] = _preview(request, autopilot, moment)
    return context


def _preview(request: Request, autopilot: Autopilot, moment: dt.datetime) -> dict[str, Any]:
    """The next draw-day post (the card the service would publish) and the latest result's post."""
    from marksix.web.dashboard.posts import current_card

    rendered = current_card(dashboard_state(request), moment)
    next_draw = autopilot.archive.next_draw(moment)
    preview: dict[str, Any] = {
        "image_url": request.url_for("post_card_image").path + f"?v={'-'.join(rendered.key)}",
        "draw_day_caption": rendered.card.caption,
        "next_draw": next_draw,
        "results_caption": None,
        "results_problem": None,
    }
    history = autopilot.archive.history()
    if len(history) and autopilot.posts is not None:
        try:
            preview["results_caption"] = autopilot.posts.results_text(history.latest)
        except MarksixError as problem:  # the latest record is not settled yet
            preview["results_problem"] = str(problem)
    return preview


@router.post("/autopilot/schedule", name="dashboard_autopilot_schedule")
async def save_schedule(request: Request, session: LoggedIn) -> Response:
    """Save every account's schedule from one form; a bad time is named, nothing half-saved."""
    form = await request.form()
    require_csrf(request, session, str(form.get("csrf_token", "")))
    autopilot = _autopilot(request)
    t = i18n.translator(i18n.language_of(request))
    if autopilot is None or autopilot.posts is None:
        return _page(request, t("autopilot.unavailable"), "error", 400)
    choices = []
    try:
        for account in autopilot.posts.publishing.accounts.all():
            for kind in POST_KINDS:
                field = f"{account.id}:{kind}"
                post_time = parse_time(str(form.get(f"time:{field}", "")))
                if kind == "draw_day" and post_time >= SALES_CLOSE:
                    raise InputError(
                        f"the draw-day post of @{account.username} must go out before sales close "
                        f"(21:15), not at {post_time:%H:%M}"
                    )
                choices.append((account.id, kind, form.get(f"enabled:{field}") == "1", post_time))
    except InputError as problem:
        return _page(request, str(problem), "error", 400)
    repository = PostRepository(autopilot.engine)
    for account_id, kind, enabled, post_time in choices:
        repository.set_schedule(account_id, kind, enabled=enabled, post_time=post_time, now=now())
    autopilot.poller.wake()  # a new time may be sooner than the thread's next wake-up
    return redirect(request, f"{PREFIX}/autopilot?saved=1")
