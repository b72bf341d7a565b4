"""The draw-day post card: content, size, caption and the no-font fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from marksix.card import content as card_content_module
from marksix.card import drawing as card_drawing
from marksix.card.content import caption, card_content, card_file_name
from marksix.card.drawing import find_cjk_font, render_card
from marksix.domain.calendar import NextDraw
from marksix.domain.draws import DrawHistory
from marksix.draws.bundled import bundled_history

FORBIDDEN = ("必中", "穩中", "保證", "包中", "命中率", "guaranteed", "sure win", "hit rate")
NEXT = NextDraw(date=dt.date(2026, 8, 25))


def test_teaser_counts_and_gaps_match_a_plain_count() -> None:
    history = bundled_history()
    content = card_content(history, NEXT)
    recent = history.draws[-100:]
    for number, times in content.most_drawn:
        assert times == sum(number in draw.numbers for draw in recent)
    assert content.most_drawn[0][1] >= max(sum(n in d.numbers for d in recent) for n in range(1, 50))
    for number, gap in content.longest_absent:
        last = max(index for index, draw in enumerate(history.draws) if number in draw.numbers)
        assert gap == len(history) - 1 - last
    assert content.latest == history.latest


def test_empty_history_has_no_teaser() -> None:
    content = card_content(DrawHistory([]), NEXT)
    assert content.latest is None and content.most_drawn == ()
    assert "18+" in caption(content)


def test_caption_is_honest_cantonese_with_the_help_line() -> None:
    announced = NextDraw(
        date=dt.date(2026, 9, 17),
        draw_id="26/105",
        snowball_name="中秋金多寶",
        estimated_first_prize=68_000_000,
    )
    text = caption(card_content(bundled_history(), announced))
    assert "第 26/105 期攪珠：2026年9月17日（星期四）" in text
    assert "中秋金多寶" in text and "HK$68,000,000" in text
    assert "18+" in text and "1834 633" in text
    assert "1/13,983,816" in text
    assert not any(word in text.lower() for word in FORBIDDEN)


def test_unannounced_prize_says_the_minimum_fund() -> None:
    assert "頭獎基金最少 HK$8,000,000" in caption(card_content(bundled_history(), NEXT))


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed (Debian: fonts-noto-cjk)")
def test_card_is_a_1080_square_png_in_chinese(tmp_path: Path) -> None:
    rendered = render_card(card_content(bundled_history(), NEXT))
    assert rendered.language == "zh-HK" and rendered.warning is None
    path = tmp_path / "out" / "card.png"
    rendered.save(path)
    with Image.open(path) as image:
        assert image.size == (1080, 1080) and image.format == "PNG"
        # HKJC red appears (the balls), not just the background.
        colours = {colour for _, colour in image.convert("RGB").getcolors(1_000_000) or []}
    assert (0xE4, 0x25, 0x2C) in colours
    assert not list(path.parent.glob(".*partial"))


def test_without_a_cjk_font_the_card_is_english_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(card_drawing, "CJK_FONT_CANDIDATES", ("/nonexistent/{weight}.ttc",))
    rendered = render_card(card_content(bundled_history(), NEXT), font_path="/nonexistent/font.ttc")
    assert rendered.language == "en"
    assert rendered.warning is not None and "fonts-noto-cjk" in rendered.warning
    assert rendered.image.size == (1080, 1080)
    assert "18+" in card_content_module.card_texts(rendered.content, "en")["footer"]  # type: ignore[arg-type]


def test_card_file_names_are_safe_and_unique_per_render() -> None:
    moment = dt.datetime(2026, 8, 24, 9, 30, 5, tzinfo=dt.UTC)
    name = card_file_name(NextDraw(date=NEXT.date, draw_id="26/093"), moment)
    assert name == "card-26-093-20260824T093005.jpg"
