"""`marksix post card` and `marksix post publish` (against a mock Graph API)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from PIL import Image

from marksix.card.content import card_content
from marksix.card.drawing import render_card
from marksix.cli import cli
from marksix.cli.post import publish_rendered
from marksix.domain.calendar import NextDraw
from marksix.draws.bundled import bundled_history
from marksix.instagram.graph import GraphClient


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_post_help_teaches_with_examples() -> None:
    for command in (["post"], ["post", "card"], ["post", "publish"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output


def test_post_card_writes_a_1080_png_and_caption(marksix_home: Path, tmp_path: Path) -> None:
    output, caption_file = tmp_path / "card.png", tmp_path / "caption.txt"
    result = run("post", "card", "-o", str(output), "--caption-out", str(caption_file), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"file", "width", "height", "language", "caption", "content"}
    assert (payload["width"], payload["height"]) == (1080, 1080)
    with Image.open(output) as image:
        assert image.size == (1080, 1080)
    assert "1834 633" in caption_file.read_text(encoding="utf-8")
    assert payload["content"]["next_draw"]["draw_time"].endswith("21:30:00+08:00")


def test_post_card_jpg_is_a_jpeg(marksix_home: Path, tmp_path: Path) -> None:
    output = tmp_path / "card.jpg"
    result = run("post", "card", "-o", str(output))
    assert result.exit_code == 0, result.output
    with Image.open(output) as image:
        assert (image.format, image.size) == ("JPEG", (1080, 1080))


def test_post_card_for_a_chosen_date(marksix_home: Path, tmp_path: Path) -> None:
    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    result = run("post", "card", "--draw", day, "-o", str(tmp_path / "c.png"), "--json")
    assert json.loads(result.stdout)["content"]["next_draw"]["date"] == day


@pytest.mark.parametrize(
    ("draw", "message"), [("yesterday", "'next' or a date"), ("2001-01-01", "in the past")]
)
def test_post_card_rejects_a_bad_draw(marksix_home: Path, tmp_path: Path, draw: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["post", "card", "--draw", draw, "-o", str(tmp_path / "c.png")])
    assert result.exit_code != 0
    assert message in str(result.exception) + result.output
    assert not (tmp_path / "c.png").exists()


def test_publish_needs_credentials(marksix_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARKSIX_IG_ACCESS_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["post", "publish", "--public-url", "https://bot.example.hk"])
    assert result.exit_code != 0
    assert "MARKSIX_IG_ACCESS_TOKEN" in str(result.exception)


def test_publish_creates_a_container_then_publishes_it(tmp_path: Path) -> None:
    calls: list[tuple[str, str, dict[str, str]]] = []

    def graph(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode())) if request.content else {}
        calls.append((request.method, request.url.path, form))
        if request.url.path.endswith("/content_publishing_limit"):
            return httpx.Response(200, json={"data": [{"quota_usage": 0, "config": {"quota_total": 100}}]})
        if request.url.path.endswith("/media"):
            return httpx.Response(200, json={"id": "container-1"})
        if request.url.path.endswith("/container-1"):
            return httpx.Response(200, json={"status_code": "FINISHED", "id": "container-1"})
        if request.url.path.endswith("/media_publish"):
            return httpx.Response(200, json={"id": "media-9"})
        return httpx.Response(404, json={"error": {"message": "unknown", "code": 100}})

    rendered = render_card(card_content(bundled_history(), NextDraw(date=dt.date(2026, 8, 25))))
    moment = dt.datetime(2026, 8, 24, 9, 0, tzinfo=dt.UTC)
    with GraphClient("token", base_url="http://graph.test", transport=httpx.MockTransport(graph)) as client:
        result = publish_rendered(
            rendered, client, "1784", home=tmp_path, public_url="https://bot.example.hk/", now=moment
        )
    assert result["media_id"] == "media-9"
    assert result["image_url"] == "https://bot.example.hk/media/cards/card-2026-08-25-20260824T090000.jpg"
    assert Path(result["file"]).is_file()
    assert Path(result["file"]).read_bytes().startswith(b"\xff\xd8\xff")  # a JPEG
    assert [call[1].rsplit("/", 1)[-1] for call in calls] == [
        "content_publishing_limit",
        "media",
        "container-1",
        "media_publish",
    ]
    assert calls[1][2]["image_url"] == result["image_url"]
    assert "1834 633" in calls[1][2]["caption"]
    assert calls[3][2]["creation_id"] == "container-1"


def test_post_publish_against_the_simulator(
    marksix_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from marksix.sandbox import DEFAULT_TOKEN, BackgroundServer, SimulatorState, create_simulator_app

    fetched: list[str] = []

    def serve_card(url: str) -> bytes:
        """What `marksix serve` answers at the public URL: the saved card file."""
        fetched.append(url)
        return (marksix_home / "media" / "cards" / url.rsplit("/", 1)[1]).read_bytes()

    state = SimulatorState(image_fetcher=serve_card, container_processing_seconds=0.0)
    app = create_simulator_app(state, app_secret="test-secret", webhook_url=None, latency_ms=0)
    simulator = app.state.simulator
    account = simulator.state.account
    with BackgroundServer(app) as server:
        monkeypatch.setenv("MARKSIX_IG_ACCESS_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("MARKSIX_IG_USER_ID", account.id)
        monkeypatch.setenv("MARKSIX_GRAPH_HOST", server.url + "/simulated-graph")
        monkeypatch.setenv("MARKSIX_PUBLIC_URL", "https://bot.example.hk")
        result = run("post", "publish", "--json")
    assert result.exit_code == 0, result.output
    assert fetched == [json.loads(result.stdout)["image_url"]]
    payload = json.loads(result.stdout)
    published = simulator.state.media[payload["media_id"]]
    assert published.owner_id == account.id
    assert published.image_url == payload["image_url"]
    assert payload["image_url"].startswith("https://bot.example.hk/media/cards/card-")
    assert "1834 633" in published.caption
    assert (marksix_home / "media" / "cards" / payload["image_url"].rsplit("/", 1)[1]).is_file()


def test_the_card_font_setting_is_read_by_settings_and_a_missing_file_is_named(
    marksix_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKSIX_CARD_FONT", str(tmp_path / "missing.ttc"))
    result = CliRunner().invoke(cli, ["post", "card", "-o", str(tmp_path / "c.png")])
    assert result.exit_code != 0
    assert f"MARKSIX_CARD_FONT={tmp_path / 'missing.ttc'} is not a file" in str(result.exception)
    assert not (tmp_path / "c.png").exists()
