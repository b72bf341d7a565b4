"""The sandbox's first screen: an Instagram-like post to comment on.

In sandbox mode `/` shows the post (the draw-day card) and a comment box;
the page talks only to the simulator's JSON API (`/sandbox/api/...`), so
each comment goes through the real webhook, queue and worker. Outside
sandbox mode `/` sends people to the dashboard.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from marksix.web import i18n
from marksix.web.dashboard.core import PREFIX, dashboard_state, now, render
from marksix.web.dashboard.posts import current_card

router = APIRouter()
SANDBOX_API = "/sandbox/api"


@router.get("/", name="sandbox_home", include_in_schema=False)
def sandbox_home(request: Request) -> Response:
    state = dashboard_state(request)
    if not state.data.sandbox:
        return RedirectResponse(f"{PREFIX}/", status_code=303)
    rendered = current_card(state, now())
    caption = rendered.card.caption
    settings = state.data.settings
    account_username = (settings.ig_username if settings is not None else None) or "marksix.sandbox"
    language = i18n.language_of(request)
    return render(
        request,
        "sandbox.html",
        {
            "api_base": SANDBOX_API,
            "status_base": "/sandbox/status/",
            "card_url": request.url_for("post_card_image").path + f"?v={'-'.join(rendered.key)}",
            "caption": caption,
            "caption_first_line": caption.splitlines()[0],
            "account_username": account_username,
            "suggested_username": f"{'guest' if language == 'en' else 'hk'}_{secrets.randbelow(9000) + 1000}",
        },
    )


@router.get("/sandbox/status/{comment_id}", name="sandbox_comment_status", include_in_schema=False)
def comment_status(comment_id: str, request: Request) -> JSONResponse:
    """Where a sandbox comment is in the pipeline, so the page can say why no reply came.

    Sandbox only: on a real account the reply log stays behind the login.
    """
    from marksix.store.comment_records import CommentKey

    data = dashboard_state(request).data
    account = data.primary_account()
    if not data.sandbox or data.comments is None or account is None:
        raise HTTPException(status_code=404, detail="only in sandbox mode")
    record = data.comments.find(CommentKey(account.id, comment_id))
    if record is None:
        return JSONResponse({"comment_id": comment_id, "state": "unknown", "reason": None})
    return JSONResponse({"comment_id": comment_id, "state": record.state, "reason": record.reason})
