"""The finished article as Markdown and as HTML: the same sections, in the same order.

    # headline / dek / translation with subheadings
    ## 其他AI動態快訊     one item per brief, each with its source link
    ## 我的觀點與評論     marked as opinion
    ---                  credit (the models actually used) and the source link

`checker.split_article` reads this layout back, so `marksix article check`
can be run on a written article.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from marksix.studio.checker import BRIEF_HEADING, FOOTER_RULE, OPINION_HEADING
from marksix.studio.sources import Document
from marksix.studio.writing import Draft

OPINION_NOTE = "以下為作者個人觀點，並非新聞報道。"


@dataclass(frozen=True, slots=True)
class Credit:
    text_model: str
    image_model: str | None  # None: the typographic card, drawn without a model

    @property
    def line(self) -> str:
        image = f"封面由 {self.image_model} 生成" if self.image_model else "封面為文字卡（無AI生成圖像）"
        return f"本文由 {self.text_model} 翻譯及撰寫；{image}。"


def source_line(document: Document) -> str:
    title = document.title or "原文"
    if document.url:
        return f"原文：[{title}]({document.url})"
    return f"原文：{title}（本地檔案，無連結）"


def to_markdown(draft: Draft, document: Document, credit: Credit) -> str:
    lines = [f"# {draft.headline}", "", f"*{draft.dek}*", "", draft.translation, ""]
    if draft.brief:
        lines += [f"## {BRIEF_HEADING}", ""]
        for item in draft.brief:
            link = f"（[來源]({item.url})）" if item.url else "（來源：編輯提供）"
            lines.append(f"- {item.text}{link}")
        lines.append("")
    lines += [f"## {OPINION_HEADING}", "", f"> {OPINION_NOTE}", "", draft.commentary, ""]
    lines += [FOOTER_RULE, "", credit.line, "", source_line(document), ""]
    return "\n".join(lines)


def _paragraphs_html(draft: Draft) -> list[str]:
    parts: list[str] = []
    for paragraph in draft.paragraphs:
        if paragraph.subheading:
            parts.append(f"<h2>{escape(paragraph.subheading)}</h2>")
        if paragraph.text:
            parts.append(f"<p>{escape(paragraph.text)}</p>")
    return parts


def _link(url: str, label: str) -> str:
    return f'<a href="{escape(url, quote=True)}" rel="noopener">{escape(label)}</a>'


def to_html(draft: Draft, document: Document, credit: Credit) -> str:
    body = [
        f"<h1>{escape(draft.headline)}</h1>",
        f'<p class="dek">{escape(draft.dek)}</p>',
        *_paragraphs_html(draft),
    ]
    if draft.brief:
        items = []
        for item in draft.brief:
            source = f"（{_link(item.url, '來源')}）" if item.url else "（來源：編輯提供）"
            items.append(f"<li>{escape(item.text)}{source}</li>")
        body.append(f'<section class="brief"><h2>{BRIEF_HEADING}</h2><ul>{"".join(items)}</ul></section>')
    body.append(
        f'<section class="opinion"><h2>{OPINION_HEADING}</h2><p class="opinion-note">{OPINION_NOTE}</p>'
        f"<p>{escape(draft.commentary)}</p></section>"
    )
    title = document.title or "原文"
    source = (
        f"原文：{_link(document.url, title)}"
        if document.url
        else f"原文：{escape(title)}（本地檔案，無連結）"
    )
    body.append(f'<footer><p class="credit">{escape(credit.line)}</p><p class="source">{source}</p></footer>')
    return (
        '<!doctype html>\n<html lang="zh-HK">\n<head><meta charset="utf-8">'
        f"<title>{escape(draft.headline)}</title></head>\n<body><article>\n"
        + "\n".join(body)
        + "\n</article></body>\n</html>\n"
    )
