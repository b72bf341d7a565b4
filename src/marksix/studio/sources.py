"""Source documents: a URL, an HTML, Markdown or text file, or standard input, as plain paragraphs.

HTML goes through trafilatura, which finds the main text, title, author and
date and drops menus and footers. URLs are fetched with httpx; the transport
is injectable, so tests serve pages from memory and never reach the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from marksix.errors import InputError, NetworkError, PermanentApiError

FETCH_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
USER_AGENT = "marksix-article-studio"
_HTML_HINT = re.compile(r"<(?:html|body|article|p|div|h1)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Document:
    """One source: its text (paragraphs separated by blank lines) and what is known about it."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in re.split(r"\n\s*\n", self.text) if part.strip()]

    @property
    def full_text(self) -> str:
        """The title and the text: what a translation's headline and body are checked against."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "author": self.author, "date": self.date, "url": self.url}


def from_html(html: str, *, url: str | None = None) -> Document:
    """The main text and metadata of an HTML page."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_formatting=True, output_format="python"
    )
    if extracted is None:
        raise InputError(f"no article text found in {url or 'the HTML'}")
    data: dict[str, Any] = extracted if isinstance(extracted, dict) else extracted.as_dict()
    text = str(data.get("text") or "").strip()
    if not text:
        raise InputError(f"no article text found in {url or 'the HTML'}")
    title = data.get("title") or None
    # trafilatura repeats the title as a level-one heading; the title is kept apart.
    if title and text.startswith(f"# {title}"):
        text = text[len(f"# {title}") :].lstrip()
    return Document(text=text, title=title, author=data.get("author") or None, date=data.get("date"), url=url)


def from_markdown(text: str) -> Document:
    """A Markdown or plain-text document; a leading '# ' line is its title."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the source is empty")
    first, _, rest = stripped.partition("\n")
    if first.startswith("# "):
        return Document(text=rest.strip(), title=first[2:].strip())
    return Document(text=stripped)


def from_text(text: str, *, url: str | None = None) -> Document:
    """HTML or Markdown/text, told apart by their look."""
    if _HTML_HINT.search(text[:2000]):
        return from_html(text, url=url)
    return from_markdown(text)


def read_file(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the source {path}: {error}") from None
    if path.suffix.lower() in {".html", ".htm"}:
        return from_html(text)
    return from_text(text)


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def fetch(url: str, *, transport: httpx.BaseTransport | None = None) -> Document:
    """The article at `url`; a NetworkError or PermanentApiError naming the URL otherwise."""
    try:
        with httpx.Client(
            transport=transport,
            timeout=FETCH_TIMEOUT,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            response = client.get(url)
    except httpx.TimeoutException as error:
        raise NetworkError(f"{url} did not answer in time") from error
    except httpx.HTTPError as error:
        raise NetworkError(f"could not fetch {url}: {error}") from error
    if response.status_code >= 400:
        raise PermanentApiError(f"{url} answered HTTP {response.status_code}", status=response.status_code)
    return from_text(response.text, url=str(response.url))


def load(
    source: str, *, stdin_text: str | None = None, transport: httpx.BaseTransport | None = None
) -> Document:
    """A URL, a file path, or '-' for standard input (`stdin_text`)."""
    if source == "-":
        return from_text(stdin_text or "")
    if is_url(source):
        return fetch(source, transport=transport)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"the source {source!r} is neither a URL nor a readable file")
    return read_file(path)
