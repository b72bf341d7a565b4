"""What the draw-day post card says, worked out from the data: pure, no drawing.

`card_content` gathers the statistics teaser from the history and the next
draw; `card_texts` gives the card's lines in one language, `caption` the
post's Cantonese caption, and `card_file_name` the name a published card is
saved and served under. `card.drawing` puts the lines on the image.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from marksix.domain.calendar import NextDraw
from marksix.domain.draws import Draw, DrawHistory
from marksix.domain.rules import COMBINATIONS, MINIMUM_FIRST_DIVISION_FUND

TEASER_WINDOW = 100
HELP_LINE = "平和基金 1834 633"
#: The footer of every post that talks about gambling (the card's caption, an article about it).
RESPONSIBLE_LINE = f"18+ 只限成年人。如受賭博問題困擾，請致電{HELP_LINE}。"
WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class CardContent:
    """Everything the card and its caption say, computed from the data."""

    next_draw: NextDraw
    latest: Draw | None
    most_drawn: tuple[tuple[int, int], ...]  # (number, times in the window)
    longest_absent: tuple[tuple[int, int], ...]  # (number, draws since last seen)
    window: int = TEASER_WINDOW

    def to_json(self) -> dict[str, Any]:
        return {
            "next_draw": self.next_draw.to_json(),
            "latest": self.latest.to_json() if self.latest else None,
            "most_drawn": [{"number": n, "times": times} for n, times in self.most_drawn],
            "longest_absent": [{"number": n, "draws": gap} for n, gap in self.longest_absent],
            "window": self.window,
        }


def card_content(history: DrawHistory, next_draw: NextDraw, *, top: int = 3) -> CardContent:
    """The statistics teaser: most drawn in the last draws, and longest absent."""
    if len(history) == 0:
        return CardContent(next_draw, None, (), ())
    recent = history.last(TEASER_WINDOW).hits
    counts = recent[:, 1:].sum(axis=0)
    most = np.argsort(-counts, kind="stable")[:top]
    hits = history.hits[:, 1:]
    # Draws since each number was last drawn: its first hit counting back from the latest.
    gaps = np.where(hits.any(axis=0), np.argmax(hits[::-1], axis=0), len(history))
    absent = np.argsort(-gaps, kind="stable")[:top]
    return CardContent(
        next_draw=next_draw,
        latest=history.latest,
        most_drawn=tuple((int(index) + 1, int(counts[index])) for index in most),
        longest_absent=tuple((int(index) + 1, int(gaps[index])) for index in absent),
        window=min(TEASER_WINDOW, len(history)),
    )


def money(amount: int) -> str:
    return f"HK${amount:,}"


def date_zh(next_draw: NextDraw) -> str:
    day = next_draw.date
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS_ZH[day.weekday()]}）"


def prize_line(next_draw: NextDraw, language: str) -> str:
    zh = language != "en"
    if next_draw.estimated_first_prize:
        return (
            f"估計頭獎基金 {money(next_draw.estimated_first_prize)}"
            if zh
            else f"Estimated first prize {money(next_draw.estimated_first_prize)}"
        )
    if next_draw.jackpot:
        return f"多寶 {money(next_draw.jackpot)}" if zh else f"Jackpot {money(next_draw.jackpot)}"
    return (
        f"頭獎基金最少 {money(MINIMUM_FIRST_DIVISION_FUND)}"
        if zh
        else f"First prize fund at least {money(MINIMUM_FIRST_DIVISION_FUND)}"
    )


def card_texts(content: CardContent, language: str) -> dict[str, str]:
    """The card's lines in one language (zh-HK, or en for the no-font fallback)."""
    draw = content.next_draw
    if language == "en":
        lines = {
            "brand": f"Mark Six · draw {draw.draw_id}" if draw.draw_id else "Mark Six · next draw",
            "title": "Next draw's numbers?",
            "date": draw.date.strftime("%A %d %B %Y"),
            "time": "Draw 9:30 pm · sales close 9:15 pm (HKT)",
            "latest": f"Last draw {content.latest.draw_id}" if content.latest else "",
            "most": f"Most drawn, last {content.window} draws",
            "absent": "Longest absent",
            "call": "Comment below for your own combination",
            "odds": f"Every combination has the same 1 in {COMBINATIONS:,} chance",
            "footer": "18+ only · Help line 1834 633",
        }
    else:
        lines = {
            "brand": f"六合彩 · 第 {draw.draw_id} 期" if draw.draw_id else "六合彩 · 下期攪珠",
            "title": "下期頭獎號碼？",
            "date": date_zh(draw),
            "time": "晚上9:30攪珠 · 9:15截止售票",
            "latest": f"上期 {content.latest.draw_id} 攪珠結果" if content.latest else "",
            "most": f"過去{content.window}期出得最多",
            "absent": "最耐未出",
            "call": "留言即刻攞你專屬嘅一組號碼",
            "odds": f"攪珠係隨機嘅：每組號碼中頭獎機會都係 1/{COMBINATIONS:,}",
            "footer": f"18+ 只限成年人 · {HELP_LINE}",
        }
    if draw.snowball_name:
        lines["snowball"] = draw.snowball_name if language != "en" else f"Snowball: {draw.snowball_name}"
    lines["prize"] = prize_line(draw, language)
    return lines


def caption(content: CardContent) -> str:
    """The post's Cantonese caption: date, prize, the call to comment, the truth."""
    draw = content.next_draw
    most = "、".join(str(number) for number, _ in content.most_drawn)
    absent = "、".join(f"{number}（{gap}期）" for number, gap in content.longest_absent)
    parts = [
        f"🎱 六合彩{f'第 {draw.draw_id} 期' if draw.draw_id else '下期'}攪珠："
        f"{date_zh(draw)}晚上9:30（9:15截止售票）",
    ]
    if draw.snowball_name:
        parts.append(f"❄️ {draw.snowball_name}")
    parts.append(f"💰 {prize_line(draw, 'zh-HK')}")
    parts.append("👇 喺下面留言，我哋會回覆你一組專屬號碼。")
    if most:
        parts.append(f"📊 過去{content.window}期出得最多：{most}；最耐未出：{absent}。")
    parts.append(
        f"攪珠完全隨機，過去嘅結果唔會影響下一期；每組號碼中頭獎機會都係 1/{COMBINATIONS:,}，"
        "冇任何方法可以提高中獎機會。量力而為。"
    )
    parts.append(RESPONSIBLE_LINE)
    parts.append("#六合彩 #MarkSix #香港")
    return "\n".join(parts)


def card_file_name(next_draw: NextDraw, now: dt.datetime) -> str:
    """A name that changes with each render, so Instagram never caches a stale card."""
    key = next_draw.key.replace("/", "-")
    return f"card-{key}-{now.strftime('%Y%m%dT%H%M%S')}.jpg"
