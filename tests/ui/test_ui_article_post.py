"""Posting an article to Instagram from the dashboard, end to end against the strict simulator.

The dashboard (TestClient, logged in, with its CSRF token) publishes through
the one publishing flow; the simulator fetches the image_url from the
dashboard's public /media/cards/ route, as Meta would, refuses anything but
a JPEG of a valid aspect ratio, and the post then shows in the account's media.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image
from ui_support import ACCOUNT_ID, FakeRuntime, csrf_from, log_in, make_app

from marksix.instagram.graph import GraphClient
from marksix.publishing import CAPTION_LIMIT
from marksix.sandbox import DEFAULT_TOKEN, BackgroundServer, SimulatorState, create_simulator_app
from marksix.studio.caption import ArticleParts, article_post, instagram_caption
from marksix.studio.cover import jpeg_bytes, render_card_cover

PUBLIC_URL = "https://bot.example.hk"
HEADLINE = "Meta斥資150億美元建AI數據中心"
DEK = "新園區耗電40兆瓦，2027年啟用"
CREDIT = "本文由 fake-gpt 翻譯及撰寫；封面為文字卡（無AI生成圖像）。"
SOURCE_URL = "https://news.example/meta"


def write_article(home: Path, name: str = "meta-datacentres", cover: bytes | None = None) -> Path:
    """A finished article folder, laid out as `marksix article write` leaves it."""
    folder = home / "articles" / name
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        f"# {HEADLINE}\n\n*{DEK}*\n\nMeta表示……\n\n## 我的觀點與評論\n\n"
        "> 以下為作者個人觀點，並非新聞報道。\n\n"
        f"評論\n\n---\n\n{CREDIT}\n\n原文：[Meta builds]({SOURCE_URL})\n",
        encoding="utf-8",
    )
    (folder / "article.html").write_text(f"<h1>{HEADLINE}</h1>", encoding="utf-8")
    image = cover if cover is not None else jpeg_bytes(render_card_cover(HEADLINE, "150億美元", CREDIT))
    (folder / "cover.jpg").write_bytes(image)
    report = {
        "ok": True,
        "finished": True,
        "accepted_problems": False,
        "facts": [],
        "problems": [],
        "models": {"text": "fake-gpt", "image": "typographic card (Pillow)"},
        "source": {"title": "Meta builds", "url": SOURCE_URL},
        "written_at": "2026-12-01T22:00:00+00:00",
    }
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return folder


@dataclass
class SimulatedRuntime(FakeRuntime):
    """The dashboard's runtime with a real Graph client on the simulated Instagram."""

    graph: Any = None

    def graph_client(self, account_id: str) -> Any:
        return self.graph


@pytest.fixture
def simulated(runtime: FakeRuntime) -> Iterator[tuple[TestClient, Any, list[str]]]:
    """(logged-in dashboard client, the simulator, the URLs it fetched)."""
    dashboard = SimulatedRuntime(
        settings=runtime.settings, comments=runtime.comments, accounts=runtime.accounts, public_url=PUBLIC_URL
    )
    app = make_app(dashboard)
    fetched: list[str] = []

    def fetch_from_the_dashboard(url: str) -> bytes:
        """Meta cURLs image_url; here the public address is the dashboard app itself."""
        fetched.append(url)
        assert url.startswith(PUBLIC_URL + "/")
        response = TestClient(app).get(url.removeprefix(PUBLIC_URL))
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        return response.content

    state = SimulatorState(image_fetcher=fetch_from_the_dashboard, container_processing_seconds=0.0)
    simulator_app = create_simulator_app(state, app_secret="test-secret", webhook_url=None, latency_ms=0)
    with BackgroundServer(simulator_app) as server, TestClient(app) as client:
        dashboard.graph = GraphClient(DEFAULT_TOKEN, host=server.url + "/simulated-graph")
        try:
            log_in(client)
            yield client, simulator_app.state.simulator, fetched
        finally:
            dashboard.graph.close()


def test_post_to_instagram_publishes_the_cover_and_caption_end_to_end(
    simulated: tuple[TestClient, Any, list[str]], ui_home: Path
) -> None:
    client, simulator, fetched = simulated
    folder = write_article(ui_home)
    page = client.get("/dashboard/articles/meta-datacentres?lang=en")
    assert page.status_code == 200 and 'id="post-to-instagram"' in page.text
    assert HEADLINE in page.text and SOURCE_URL in page.text
    token = csrf_from(page.text)
    seeded = dict(simulator.state.media)  # the sandbox account's sample post
    refused = client.post("/dashboard/articles/meta-datacentres/instagram", data={"csrf_token": "x"})
    assert refused.status_code == 403 and simulator.state.media == seeded

    response = client.post(
        "/dashboard/articles/meta-datacentres/instagram", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    media_id = response.headers["location"].rsplit("posted=", 1)[1]
    assert response.headers["location"] == f"/dashboard/articles/meta-datacentres?posted={media_id}"
    assert "Posted to Instagram" in client.get(response.headers["location"] + "&lang=en").text

    # The simulator fetched the cover from the dashboard's public media route, and posted it.
    [image_url] = fetched
    assert image_url.startswith(f"{PUBLIC_URL}/media/cards/article-meta-datacentres-")
    saved = ui_home / "media" / "cards" / image_url.rsplit("/", 1)[1]
    assert saved.read_bytes() == (folder / "cover.jpg").read_bytes()
    published = simulator.state.media[media_id]
    assert (published.owner_id, published.image_url) == (ACCOUNT_ID, image_url)
    caption = published.caption
    for part in (HEADLINE, DEK, SOURCE_URL, CREDIT):
        assert part in caption
    assert "1834 633" not in caption  # AI news, not a lottery post
    # ... and it is among the account's posts, as the Graph API lists them.
    graph = client.app.state.runtime.graph  # type: ignore[attr-defined]
    listed = [media for media in graph.list_media(ACCOUNT_ID) if media["id"] == media_id]
    assert listed and listed[0]["caption"] == caption

    # A resent form does not post the article twice.
    again = client.post(
        "/dashboard/articles/meta-datacentres/instagram", data={"csrf_token": token}, follow_redirects=False
    )
    assert again.headers["location"].endswith(f"posted={media_id}")
    assert [media.caption for media in simulator.state.media.values()].count(caption) == 1


def test_a_png_cover_is_refused_with_a_clear_error(
    simulated: tuple[TestClient, Any, list[str]], ui_home: Path
) -> None:
    client, simulator, fetched = simulated
    seeded = dict(simulator.state.media)
    png = io.BytesIO()
    Image.new("RGB", (1080, 1080), "navy").save(png, format="PNG")
    write_article(ui_home, "png-cover", cover=png.getvalue())
    page = client.get("/dashboard/articles/png-cover?lang=en")
    assert "is a PNG; Instagram publishes JPEG images only" in page.text
    response = client.post(
        "/dashboard/articles/png-cover/instagram", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 400
    assert "Publishing failed" in response.text and "is a PNG" in response.text
    assert not fetched and simulator.state.media == seeded


def test_the_simulator_refuses_a_cover_of_an_aspect_instagram_refuses(
    simulated: tuple[TestClient, Any, list[str]], ui_home: Path
) -> None:
    client, simulator, fetched = simulated
    seeded = dict(simulator.state.media)
    banner = io.BytesIO()
    Image.new("RGB", (2400, 1000), "navy").save(banner, format="JPEG")
    write_article(ui_home, "banner", cover=banner.getvalue())
    page = client.get("/dashboard/articles/banner?lang=en")
    response = client.post("/dashboard/articles/banner/instagram", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 502
    assert "aspect ratio 2400:1000" in response.text
    assert len(fetched) == 1 and simulator.state.media == seeded


def test_the_caption_keeps_within_instagrams_limit_and_names_the_risk_when_about_gambling() -> None:
    long = ArticleParts("標題" * 900, "導語" * 900, CREDIT, "Source", SOURCE_URL)
    caption = instagram_caption(long)
    assert len(caption) <= CAPTION_LIMIT
    assert caption.endswith(CREDIT) and SOURCE_URL in caption and "…" in caption
    about_mark_six = instagram_caption(ArticleParts("六合彩多寶獎金創新高", "", CREDIT, None, SOURCE_URL))
    assert "18+" in about_mark_six and "1834 633" in about_mark_six
    assert "1834 633" not in instagram_caption(ArticleParts(HEADLINE, DEK, CREDIT, None, None))


def test_article_post_cli_publishes_through_the_same_flow(
    ui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marksix.cli import cli

    folder = write_article(ui_home)
    fetched: list[str] = []

    def serve_cover(url: str) -> bytes:
        fetched.append(url)
        return (ui_home / "media" / "cards" / url.rsplit("/", 1)[1]).read_bytes()

    state = SimulatorState(image_fetcher=serve_cover, container_processing_seconds=0.0)
    app = create_simulator_app(state, app_secret="test-secret", webhook_url=None, latency_ms=0)
    with BackgroundServer(app) as server:
        for name, value in {
            "MARKSIX_HOME": str(ui_home),
            "MARKSIX_IG_ACCESS_TOKEN": DEFAULT_TOKEN,
            "MARKSIX_IG_USER_ID": ACCOUNT_ID,
            "MARKSIX_GRAPH_HOST": server.url + "/simulated-graph",
            "MARKSIX_PUBLIC_URL": PUBLIC_URL,
        }.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(cli, ["article", "post", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"media_id", "image_url", "file", "caption"}
    assert fetched == [payload["image_url"]]
    assert state.media[payload["media_id"]].caption == payload["caption"] == article_post(folder).caption


def test_an_unfinished_article_is_not_posted(
    simulated: tuple[TestClient, Any, list[str]], ui_home: Path
) -> None:
    client, _simulator, fetched = simulated
    folder = write_article(ui_home, "draft")
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    (folder / "report.json").write_text(json.dumps({**report, "finished": False}), encoding="utf-8")
    page = client.get("/dashboard/articles/draft?lang=en")
    assert 'id="post-to-instagram"' not in page.text
    response = client.post("/dashboard/articles/draft/instagram", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 400 and "only a finished article can be posted" in response.text
    assert not fetched
