"""The dashboard's article studio page: list, preview, report, cover and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from marksix.studio.cover import jpeg_bytes, render_card_cover

REPORT = {
    "ok": False,
    "finished": True,
    "accepted_problems": True,
    "facts": [
        {"kind": "money", "source": "$15 billion", "status": "changed", "translation": "15億美元"},
        {"kind": "number", "source": "40 megawatts", "status": "kept", "translation": "40兆瓦"},
    ],
    "problems": [
        {
            "kind": "changed",
            "source": "$15 billion",
            "translation": "15億美元",
            "detail": "scale slipped: $15 billion is 150億 USD, not 15億美元",
        }
    ],
    "models": {"text": "fake-gpt", "image": "typographic card (Pillow)"},
    "source": {"title": "Meta", "url": "https://news.example/meta"},
    "written_at": "2026-12-01T22:00:00+00:00",
}


@pytest.fixture
def article(ui_home: Path) -> Path:
    folder = ui_home / "articles" / "meta-datacentres"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("# Meta斥資15億美元\n\n內容\n", encoding="utf-8")
    (folder / "article.html").write_text(
        "<h1>Meta斥資15億美元</h1><script>alert(1)</script>", encoding="utf-8"
    )
    (folder / "cover.jpg").write_bytes(
        jpeg_bytes(render_card_cover("Meta斥資15億美元", "15億美元", "credit"))
    )
    (folder / "report.json").write_text(json.dumps(REPORT, ensure_ascii=False), encoding="utf-8")
    unfinished = ui_home / "articles" / "unfinished"
    unfinished.mkdir()
    (unfinished / "report.json").write_text(
        json.dumps({**REPORT, "finished": False, "accepted_problems": False})
    )
    return folder


def test_the_list_shows_each_article_with_its_verdict(logged_in: TestClient, article: Path) -> None:
    page = logged_in.get("/dashboard/articles?lang=en")
    assert page.status_code == 200
    assert "Meta斥資15億美元" in page.text and "Problems accepted (1)" in page.text
    assert "Problems; not finished (1)" in page.text
    assert "/dashboard/articles/meta-datacentres/article.md?download=true" in page.text


def test_the_article_page_shows_cover_preview_and_report(logged_in: TestClient, article: Path) -> None:
    page = logged_in.get("/dashboard/articles/meta-datacentres?lang=en")
    assert page.status_code == 200
    assert "scale slipped: $15 billion is 150億 USD" in page.text
    assert 'id="article-preview"' in page.text and "sandbox" in page.text
    cover = logged_in.get("/dashboard/articles/meta-datacentres/cover.jpg")
    assert cover.headers["content-type"] == "image/jpeg"
    preview = logged_in.get("/dashboard/articles/meta-datacentres/article.html")
    assert "default-src 'none'" in preview.headers["content-security-policy"]


def test_export_downloads_markdown_and_html(logged_in: TestClient, article: Path) -> None:
    markdown = logged_in.get("/dashboard/articles/meta-datacentres/article.md?download=true")
    assert markdown.text.startswith("# Meta斥資15億美元")
    assert "attachment" in markdown.headers["content-disposition"]
    assert "meta-datacentres-article.md" in markdown.headers["content-disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/articles/nope",
        "/dashboard/articles/meta-datacentres/secret.txt",
        "/dashboard/articles/..%2F..%2Fetc/article.md",
        "/dashboard/articles/unfinished/article.md",
    ],
)
def test_unknown_articles_and_files_are_404(logged_in: TestClient, article: Path, path: str) -> None:
    assert logged_in.get(path).status_code == 404


def test_the_pages_need_a_login(client: TestClient, article: Path) -> None:
    for path in ("/dashboard/articles", "/dashboard/articles/meta-datacentres/cover.jpg"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303


def test_the_cover_card_is_a_1080_jpeg() -> None:
    image = render_card_cover("一個很長很長的標題" * 4, "150億美元", "本文由 fake-gpt 翻譯及撰寫")
    assert image.size == (1080, 1080)
    assert isinstance(image, Image.Image)
