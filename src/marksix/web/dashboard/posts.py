"""The draw-day post card: preview, public image URLs, and publishing.

Instagram fetches a post's image from a public URL, so published cards are
saved as JPEG under `<home>/media/cards/` and served at `/media/cards/<file>.jpg`
without a login; the live preview for the next draw is `/media/cards/next.png`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response

from marksix.card.content import card_content
from marksix.card.drawing import CardImage, render_card
from marksix.errors import ApiError, ConfigError, MarksixError
from marksix.paths import Locator
from marksix.publishing import Publishable
from marksix.publishing import publish_card as shared_publish
from marksix.web import i18n
from marksix.web.dashboard.core import (
    PREFIX,
    DashboardState,
    LoggedIn,
    dashboard_state,
    now,
    redirect,
    render,
    require_csrf,
)

router = APIRouter()
CARD_NAME = re.compile(r"^[A-Za-z0-9._-]+\.(png|jpg)$")


@dataclass(frozen=True, slots=True)
class _Rendered:
    key: tuple[str, str]
    card: CardImage
    png: bytes


_cache_lock = threading.Lock()
_publish_lock = threading.Lock()
#: The same card is not published twice within this window.
REPUBLISH_AFTER = dt.timedelta(minutes=10)


def current_card(state: DashboardState, moment: dt.datetime) -> _Rendered:
    """The card for the next draw, rendered once per (next draw, latest result)."""
    history = state.data.history()
    next_draw = state.data.next_draw(moment)
    key = (next_draw.key, history.latest.draw_id if len(history) else "")
    with _cache_lock:
        cached = state.card_cache
        if isinstance(cached, _Rendered) and cached.key == key:
            return cached
    card = render_card(card_content(history, next_draw), font_path=_font(state))
    rendered = _Rendered(key, card, card.png_bytes())
    with _cache_lock:
        state.card_cache = rendered
    return rendered


def _font(state: DashboardState) -> str | None:
    settings = state.data.settings
    return str(settings.card_font) if settings is not None and settings.card_font else None


@router.get("/media/cards/next.png", name="post_card_image")
def next_card_image(request: Request) -> Response:
    """The current card: public, because it is what the post shows."""
    rendered = current_card(dashboard_state(request), now())
    return Response(rendered.png, media_type="image/png", headers={"Cache-Control": "public, max-age=300"})


@router.get("/media/cards/{name}", name="post_card_file")
def card_file(name: str, request: Request) -> Response:
    if not CARD_NAME.match(name):
        raise HTTPException(status_code=404, detail="no such card")
    path = Locator.resolve(dashboard_state(request).home).cards_folder / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail="no such card")
    return FileResponse(path, media_type="image/jpeg" if name.endswith(".jpg") else "image/png")


@router.get(f"{PREFIX}/card", name="dashboard_card")
def card_page(request: Request, session: LoggedIn, published: str = "") -> Response:
    message = None
    if published.isdigit():
        message = i18n.translate("card.published", i18n.language_of(request), media_id=published)
    return _card_page(request, message, "ok")


def _card_page(request: Request, message: str | None, kind: str, status_code: int = 200) -> Response:
    rendered = current_card(dashboard_state(request), now())
    return render(
        request,
        "dashboard/card.html",
        {
            "section": "card",
            "image_url": request.url_for("post_card_image").path + f"?v={'-'.join(rendered.key)}",
            "caption": rendered.card.caption,
            "warning": rendered.card.warning,
            "message": message,
            "message_kind": kind,
        },
        status_code=status_code,
        title_key="card.title",
    )


@router.post(f"{PREFIX}/card/publish", name="dashboard_card_publish")
def card_publish(request: Request, session: LoggedIn, csrf_token: str = Form("")) -> Response:
    """Publish, then redirect: reloading the result page must never post the card again."""
    require_csrf(request, session, csrf_token)
    state = dashboard_state(request)
    t = i18n.translator(i18n.language_of(request))
    moment = now()
    rendered = current_card(state, moment)
    try:
        with _publish_lock:
            # A double click or a resent form inside the window gets the post that was just made.
            last = state.last_published
            if last is not None and last[0] == rendered.key and moment - last[2] < REPUBLISH_AFTER:
                media_id = last[1]
            else:
                media_id = publish_card(state, rendered.card, str(request.base_url), moment)
                state.last_published = (rendered.key, media_id, moment)
    except (ApiError, ConfigError) as problem:
        return _card_page(request, t("card.publish_failed", problem=str(problem)), "error", 502)
    except MarksixError as problem:
        return _card_page(request, t("card.publish_failed", problem=str(problem)), "error", 400)
    return redirect(request, f"{PREFIX}/card?published={media_id}")


def publish_card(state: DashboardState, post: Publishable, base_url: str, moment: dt.datetime) -> str:
    """The shared publish flow (marksix.publishing) on the account the dashboard works on:
    the post card here, an article's cover from the articles page."""
    runtime = state.data.runtime
    account = state.data.primary_account()
    if account is None:
        raise ConfigError("no Instagram account is connected; nothing to publish to")
    if runtime is None:
        raise ConfigError("the service runtime has no Graph API client")
    public_base = runtime.public_url or base_url
    published = shared_publish(
        post,
        runtime.graph_client(account.id),
        account.id,
        home=state.home,
        public_url=public_base,
        now=moment,
    )
    return published.media_id
