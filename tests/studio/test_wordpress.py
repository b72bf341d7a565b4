"""Publishing to WordPress against a local fake of its REST API (httpx.MockTransport), as strict as the
real one: Basic auth checked, a media upload without a file name refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from cli_runner import run
from marksix.errors import InputError, TokenExpired
from marksix.studio.cover import jpeg_bytes, render_card_cover
from marksix.studio.wordpress import WordPressSite, publish_article

SITE = "https://blog.example.hk"


class FakeWordPress:
    def __init__(self, password: str = "abcd efgh ijkl mnop") -> None:
        self.password = password
        self.media: list[dict[str, object]] = []
        self.posts: list[dict[str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"editor:{self.password}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return httpx.Response(401, json={"code": "rest_not_logged_in", "message": "not logged in"})
        if request.url.path == "/wp-json/wp/v2/media":
            if "filename=" not in request.headers.get("Content-Disposition", ""):
                return httpx.Response(
                    400, json={"code": "rest_upload_no_content_disposition", "message": "no name"}
                )
            self.media.append({"type": request.headers["Content-Type"], "size": len(request.content)})
            return httpx.Response(201, json={"id": 70 + len(self.media)})
        if request.url.path == "/wp-json/wp/v2/posts":
            post = json.loads(request.content)
            if not post.get("title"):
                return httpx.Response(400, json={"code": "empty_content", "message": "no title"})
            self.posts.append(post)
            return httpx.Response(
                201, json={"id": 900 + len(self.posts), "link": f"{SITE}/?p={900 + len(self.posts)}"}
            )
        return httpx.Response(404, json={"code": "rest_no_route", "message": "no route"})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    article = tmp_path / "meta"
    article.mkdir()
    (article / "article.html").write_text(
        '<!doctype html>\n<html lang="zh-HK"><body><article>\n'
        '<h1>Meta斥資150億美元</h1>\n<p class="dek">導語</p>\n'
        "<p>內文</p>\n</article></body></html>\n",
        encoding="utf-8",
    )
    (article / "cover.jpg").write_bytes(
        jpeg_bytes(render_card_cover("Meta斥資150億美元", "150億美元", "credit"))
    )
    (article / "report.json").write_text(json.dumps({"finished": True}), encoding="utf-8")
    return article


def test_the_cover_and_a_draft_post_are_created(folder: Path) -> None:
    fake = FakeWordPress()
    published = publish_article(
        WordPressSite(SITE, "editor", fake.password), folder, transport=httpx.MockTransport(fake)
    )
    assert (published.post_id, published.media_id) == (901, 71)
    assert fake.media[0]["type"] == "image/jpeg"
    post = fake.posts[0]
    assert post["title"] == "Meta斥資150億美元" and post["status"] == "draft" and post["featured_media"] == 71
    assert "<h1>" not in str(post["content"]) and "<p>內文</p>" in str(post["content"])


def test_a_wrong_password_is_token_expired_and_never_shown(folder: Path) -> None:
    site = WordPressSite(SITE, "editor", "wrong password")
    with pytest.raises(TokenExpired) as caught:
        publish_article(site, folder, transport=httpx.MockTransport(FakeWordPress()))
    assert "wrong password" not in str(caught.value) and "wrong password" not in repr(site)


def test_unfinished_articles_and_plain_http_are_refused(folder: Path) -> None:
    (folder / "report.json").write_text(json.dumps({"finished": False}), encoding="utf-8")
    with pytest.raises(InputError, match="not finished"):
        publish_article(
            WordPressSite(SITE, "editor", "x"), folder, transport=httpx.MockTransport(FakeWordPress())
        )
    with pytest.raises(InputError, match="https"):
        WordPressSite("http://blog.example.hk", "editor", "x")


def test_the_cli_needs_the_password_in_the_environment(
    capsys: pytest.CaptureFixture[str], folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARKSIX_WORDPRESS_APP_PASSWORD", raising=False)
    code, _, err = run(capsys, "article", "publish", str(folder), "--wordpress", SITE, "--user", "editor")
    assert code == 1
    assert "MARKSIX_WORDPRESS_APP_PASSWORD" in err
