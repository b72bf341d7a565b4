"""The article studio's page: articles written by `marksix article write` into `<home>/articles/<name>/`.

Each article is a folder with article.md, article.html, cover.jpg and
report.json; the page lists them with their faithfulness verdict, and each
article's page shows the cover, the preview and every fact checked. Markdown
and HTML export are downloads. "Post to Instagram" sends the cover and a
short caption (studio/caption.py) through the one publishing flow
(publishing.publish_card, as the post card does), on the dashboard's account.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response

from marksix.errors import ApiError, ConfigError, InputError, MarksixError
from marksix.paths import Locator
from marksix.studio.caption import article_parts, article_post
from marksix.web import i18n
from marksix.web.dashboard.core import (
    PREFIX,
    LoggedIn,
    dashboard_state,
    finish,
    now,
    redirect,
    render,
    require_csrf,
)
from marksix.web.dashboard.posts import REPUBLISH_AFTER, publish_card

router = APIRouter()
ARTICLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
FILES = {
    "article.md": "text/markdown; charset=utf-8",
    "article.html": "text/html; charset=utf-8",
    "cover.jpg": "image/jpeg",
    "report.json": "application/json",
}


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    name: str
    headline: str
    finished: bool
    ok: bool
    accepted_problems: bool
    problems: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    models: dict[str, str]
    source: dict[str, Any]
    has_cover: bool
    written_at: str


def articles_folder(home: Path) -> Path:
    return Locator.resolve(home).articles_folder


#: One post at a time; a double click or a resent form within REPUBLISH_AFTER gets the post just made.
_post_lock = threading.Lock()
_recent_posts: dict[Path, tuple[str, dt.datetime]] = {}


def _headline(folder: Path) -> str:
    markdown = folder / "article.md"
    if markdown.is_file():
        return article_parts(markdown.read_text(encoding="utf-8")).headline or folder.name
    return folder.name


def read_entry(folder: Path) -> ArticleEntry | None:
    """One article folder, or None when its report is missing or unreadable."""
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict):
        return None
    return ArticleEntry(
        name=folder.name,
        headline=_headline(folder),
        finished=bool(report.get("finished")),
        ok=bool(report.get("ok")),
        accepted_problems=bool(report.get("accepted_problems")),
        problems=list(report.get("problems") or []),
        facts=list(report.get("facts") or []),
        models=dict(report.get("models") or {}),
        source=dict(report.get("source") or {}),
        has_cover=(folder / "cover.jpg").is_file(),
        written_at=str(report.get("written_at") or ""),
    )


def list_articles(home: Path) -> list[ArticleEntry]:
    root = articles_folder(home)
    if not root.is_dir():
        return []
    entries = [
        read_entry(folder) for folder in root.iterdir() if folder.is_dir() and ARTICLE_NAME.match(folder.name)
    ]
    return sorted((entry for entry in entries if entry), key=lambda entry: entry.written_at, reverse=True)


def _folder(request: Request, name: str) -> Path:
    folder = articles_folder(dashboard_state(request).home) / name
    if not ARTICLE_NAME.match(name) or not folder.is_dir():
        raise HTTPException(status_code=404, detail="no such article")
    return folder


@router.get(f"{PREFIX}/articles", name="dashboard_articles")
def articles_page(request: Request, session: LoggedIn) -> Response:
    home = dashboard_state(request).home
    return render(
        request,
        "dashboard/articles.html",
        {"section": "articles", "articles": list_articles(home), "folder": str(articles_folder(home))},
        title_key="articles.title",
    )


@router.get(f"{PREFIX}/articles/{{name}}", name="dashboard_article")
def article_page(request: Request, session: LoggedIn, name: str, posted: str = "") -> Response:
    message = None
    if posted.isdigit():
        message = i18n.translate("articles.posted", i18n.language_of(request), media_id=posted)
    return _article_page(request, name, message, "ok")


def _article_page(
    request: Request, name: str, message: str | None, kind: str, status_code: int = 200
) -> Response:
    folder = _folder(request, name)
    entry = read_entry(folder)
    if entry is None:
        raise HTTPException(status_code=404, detail="the article has no readable report.json")
    caption = None
    if entry.finished and entry.has_cover:
        try:
            caption = article_post(folder).caption
        except MarksixError as problem:
            message, kind = message or str(problem), "error"
    return render(
        request,
        "dashboard/article.html",
        {
            "section": "articles",
            "article": entry,
            "caption": caption,
            "message": message,
            "message_kind": kind,
        },
        status_code=status_code,
        title_key="articles.title",
    )


@router.post(f"{PREFIX}/articles/{{name}}/instagram", name="dashboard_article_post")
def article_to_instagram(
    request: Request, session: LoggedIn, name: str, csrf_token: str = Form("")
) -> Response:
    """Post the cover and caption, then redirect: reloading the result must never post again."""
    require_csrf(request, session, csrf_token)
    folder = _folder(request, name)
    t = i18n.translator(i18n.language_of(request))
    entry = read_entry(folder)
    try:
        if entry is None or not entry.finished:
            raise InputError("only a finished article can be posted")
        moment = now()
        with _post_lock:
            recent = _recent_posts.get(folder.resolve())
            if recent is not None and moment - recent[1] < REPUBLISH_AFTER:
                media_id = recent[0]
            else:
                post = article_post(folder)
                media_id = publish_card(dashboard_state(request), post, str(request.base_url), moment)
                _recent_posts[folder.resolve()] = (media_id, moment)
    except (ApiError, ConfigError) as problem:
        return _article_page(request, name, t("card.publish_failed", problem=str(problem)), "error", 502)
    except MarksixError as problem:
        return _article_page(request, name, t("card.publish_failed", problem=str(problem)), "error", 400)
    return redirect(request, f"{PREFIX}/articles/{name}?posted={media_id}")


@router.get(f"{PREFIX}/articles/{{name}}/{{file}}", name="dashboard_article_file")
def article_file(
    request: Request, session: LoggedIn, name: str, file: str, download: bool = False
) -> Response:
    if file not in FILES:
        raise HTTPException(status_code=404, detail="no such file")
    path = _folder(request, name) / file
    if not path.is_file():
        raise HTTPException(status_code=404, detail="no such file")
    filename = f"{name}-{file}" if download else None
    response = FileResponse(path, media_type=FILES[file], filename=filename)
    if file == "article.html":
        # The preview is model-written HTML: it runs no script and loads nothing from elsewhere.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        )
    return finish(request, response)
