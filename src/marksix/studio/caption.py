"""An article as an Instagram post: its cover and a short caption.

The caption is the headline, the dek, the source link and the credit line,
read back from the article.md that `write` laid out (so an operator's edits
to it are what gets posted), within Instagram's 2,200 characters. An article
is news, not a lottery post, so it carries no 18+ / help-line footer, unless
the caption itself talks about Mark Six, a lottery or gambling: then the
footer every gambling text of the product carries is added.

    post = article_post(folder)          # cover.jpg + caption, for publishing.publish_card
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marksix.card.content import RESPONSIBLE_LINE
from marksix.errors import InputError
from marksix.publishing import CAPTION_LIMIT, JpegPost
from marksix.studio.checker import FOOTER_RULE

COVER = "cover.jpg"
SOURCE_PREFIX = "原文："
#: Words that make a caption about gambling; then it carries the 18+ and help-line footer.
GAMBLING = re.compile(
    r"六合彩|mark\s*six|marksix|彩票|樂透|頭獎|多寶|攪珠|賭|博彩|lotter|gambl|jackpot", re.I
)


@dataclass(frozen=True, slots=True)
class ArticleParts:
    """What the caption is made of."""

    headline: str
    dek: str
    credit: str
    source_title: str | None
    source_url: str | None


def article_parts(markdown: str, source: Mapping[str, Any] | None = None) -> ArticleParts:
    """Headline, dek and credit from article.md (render.to_markdown's layout); the
    source's title and link from report.json's `source`."""
    lines = [line.strip() for line in markdown.splitlines()]
    headline = lines[0][2:].strip() if lines and lines[0].startswith("# ") else ""
    body = [line for line in lines[1:] if line]
    dek = ""
    if body and len(body[0]) > 2 and body[0].startswith("*") and body[0].endswith("*"):
        dek = body[0].strip("*").strip()
    footer = lines[len(lines) - lines[::-1].index(FOOTER_RULE) :] if FOOTER_RULE in lines else []
    credit = next((line for line in footer if line and not line.startswith(SOURCE_PREFIX)), "")
    source = source or {}
    title, url = source.get("title"), source.get("url")
    return ArticleParts(
        headline=headline,
        dek=dek,
        credit=credit,
        source_title=str(title) if title else None,
        source_url=str(url) if url else None,
    )


def _cut(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    return text[: max(room - 1, 0)].rstrip() + "…" if room > 0 else ""


def instagram_caption(parts: ArticleParts) -> str:
    """Headline, dek, source link and credit; the dek (then the headline) is cut to fit 2,200."""
    named = " ".join(part for part in (parts.source_title, parts.source_url) if part)
    tail = [line for line in (SOURCE_PREFIX + named if named else "", parts.credit) if line]
    about_gambling = GAMBLING.search(" ".join((parts.headline, parts.dek, parts.source_title or "")))
    if about_gambling:
        tail.append(RESPONSIBLE_LINE)
    fixed = "\n".join(tail)
    # Blank lines between headline, dek and the tail: 2 + 2 characters.
    room = CAPTION_LIMIT - len(fixed) - 4
    headline = _cut(parts.headline, max(room // 2, room - len(parts.dek)))
    dek = _cut(parts.dek, room - len(headline))
    return "\n\n".join(part for part in (headline, dek, fixed) if part)


def article_post(folder: Path) -> JpegPost:
    """The finished article in `folder` as a post: cover.jpg (a JPEG, or a clear error) and its caption."""
    markdown, report = folder / "article.md", folder / "report.json"
    if not markdown.is_file():
        raise InputError(f"{folder} has no article.md: only a finished article can be posted")
    if not (folder / COVER).is_file():
        raise InputError(f"{folder} has no {COVER} to post")
    try:
        source = json.loads(report.read_text(encoding="utf-8")).get("source") if report.is_file() else None
    except (OSError, ValueError, AttributeError):
        source = None
    parts = article_parts(markdown.read_text(encoding="utf-8"), source if isinstance(source, dict) else None)
    if not parts.headline:
        raise InputError(f"{markdown} has no '# headline' first line, which the caption starts with")
    return JpegPost.from_file(folder / COVER, instagram_caption(parts), f"article-{folder.name}")
