"""The article studio's page: articles written by `marksix article write` into `<home>/articles/<name>/`.

Each article is a folder with article.md, article.html, cover.jpg and
report.json; the page lists them with their faithfulness verdict, and each
article's page shows the cover, the preview and every fact checked. Markdown
and HTML export are downloads. Posting a cover to Instagram is not here yet:
it waits for the single publish_card flow of the going-live work.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from marksix.web.dashboard.core import PREFIX, LoggedIn, dashboard_state, finish, render

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
    return home / "articles"


def _headline(folder: Path) -> str:
    markdown = folder / "article.md"
    if markdown.is_file():
        first = markdown.read_text(encoding="utf-8").splitlines()[:1]
        if first and first[0].startswith("# "):
            return first[0][2:].strip()
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
def article_page(request: Request, session: LoggedIn, name: str) -> Response:
    entry = read_entry(_folder(request, name))
    if entry is None:
        raise HTTPException(status_code=404, detail="the article has no readable report.json")
    return render(
        request,
        "dashboard/article.html",
        {"section": "articles", "article": entry},
        title_key="articles.title",
    )


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
