"""The draw-day post card: a 1080×1080 PNG for the account's post, and its caption.

`card_content` gathers what the card says from the history and the next draw
(pure); `render_card` draws it with Pillow. Chinese text needs a CJK font:
Debian's fonts-noto-cjk is found on its own, MARKSIX_CARD_FONT (passed in as
`font_path`) names another. Without one the card is drawn in English and
`CardImage.warning` says why, so nothing shows as empty boxes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from marksix.domain.calendar import NextDraw
from marksix.domain.colours import COLOUR_HEX, colour_of
from marksix.domain.draws import Draw, DrawHistory
from marksix.domain.rules import COMBINATIONS, MINIMUM_FIRST_DIVISION_FUND

SIZE = 1080
TEASER_WINDOW = 100
HELP_LINE = "平和基金 1834 633"
WEEKDAYS_ZH = "一二三四五六日"
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{weight}.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
NO_CJK_FONT = (
    "no CJK font found, so the card is in English; install Debian's fonts-noto-cjk "
    "(or set MARKSIX_CARD_FONT to a .ttc/.otf with Traditional Chinese) for the Chinese card"
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


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


@dataclass(frozen=True, slots=True)
class CardImage:
    image: Image.Image
    caption: str
    language: str  # "zh-HK", or "en" when no CJK font was found
    warning: str | None = None
    content: CardContent | None = field(default=None, repr=False)

    def png_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()

    def jpeg_bytes(self) -> bytes:
        """What Instagram publishes: image posts take JPEG only (Content Publishing guide)."""
        buffer = io.BytesIO()
        self.image.convert("RGB").save(buffer, format="JPEG", quality=92, optimize=True)
        return buffer.getvalue()

    def save(self, path: Path) -> None:
        """Write the file whole or not at all; .jpg/.jpeg is a JPEG, anything else a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        is_jpeg = path.suffix.lower() in (".jpg", ".jpeg")
        partial.write_bytes(self.jpeg_bytes() if is_jpeg else self.png_bytes())
        partial.replace(path)


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


def find_cjk_font(configured: str | None = None) -> Path | None:
    """The first CJK font that exists: the configured one, then the usual places."""
    candidates = [configured] if configured else []
    candidates += [pattern.format(weight="Bold") for pattern in CJK_FONT_CANDIDATES]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _load_font(path: Path | None, size: int, weight: str = "Bold") -> Font:
    if path is None:
        return ImageFont.load_default(size)
    chosen = Path(str(path).replace("-Bold.", f"-{weight}."))
    if not chosen.is_file():
        chosen = path
    # Noto's .ttc holds JP/KR/SC/TC/HK faces; pick the Hong Kong one by name.
    for index in range(10):
        try:
            font = ImageFont.truetype(str(chosen), size, index=index)
        except OSError:
            break
        family, _style = font.getname()
        if "HK" in (family or ""):
            return font
    return ImageFont.truetype(str(chosen), size)


def money(amount: int) -> str:
    return f"HK${amount:,}"


def _date_zh(next_draw: NextDraw) -> str:
    day = next_draw.date
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS_ZH[day.weekday()]}）"


def _prize_line(next_draw: NextDraw, language: str) -> str:
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
            "date": _date_zh(draw),
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
    lines["prize"] = _prize_line(draw, language)
    return lines


def caption(content: CardContent) -> str:
    """The post's Cantonese caption: date, prize, the call to comment, the truth."""
    draw = content.next_draw
    most = "、".join(str(number) for number, _ in content.most_drawn)
    absent = "、".join(f"{number}（{gap}期）" for number, gap in content.longest_absent)
    parts = [
        f"🎱 六合彩{f'第 {draw.draw_id} 期' if draw.draw_id else '下期'}攪珠："
        f"{_date_zh(draw)}晚上9:30（9:15截止售票）",
    ]
    if draw.snowball_name:
        parts.append(f"❄️ {draw.snowball_name}")
    parts.append(f"💰 {_prize_line(draw, 'zh-HK')}")
    parts.append("👇 喺下面留言，我哋會回覆你一組專屬號碼。")
    if most:
        parts.append(f"📊 過去{content.window}期出得最多：{most}；最耐未出：{absent}。")
    parts.append(
        f"攪珠完全隨機，過去嘅結果唔會影響下一期；每組號碼中頭獎機會都係 1/{COMBINATIONS:,}，"
        "冇任何方法可以提高中獎機會。量力而為。"
    )
    parts.append(f"18+ 只限成年人。如受賭博問題困擾，請致電{HELP_LINE}。")
    parts.append("#六合彩 #MarkSix #香港")
    return "\n".join(parts)


def _ball(canvas: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int, number: int, font: Font) -> None:
    x, y = centre
    colour = COLOUR_HEX[colour_of(number)]
    canvas.ellipse((x - radius, y - radius, x + radius, y + radius), fill="white")
    inner = radius - max(4, radius // 7)
    canvas.ellipse((x - inner, y - inner, x + inner, y + inner), fill=colour)
    canvas.text((x, y), str(number), font=font, fill="white", anchor="mm")


def _result_row(canvas: ImageDraw.ImageDraw, draw: Draw, y: int, radius: int, font: Font) -> None:
    """Six drawn balls, a plus sign, then the extra ball, as HKJC prints them."""
    gap, plus_width = 14, 50
    width = 7 * 2 * radius + 5 * gap + plus_width
    x = (SIZE - width) // 2 + radius
    for number in draw.numbers:
        _ball(canvas, (x, y), radius, number, font)
        x += 2 * radius + gap
    canvas.text((x - gap + plus_width // 2 - radius, y), "+", font=font, fill="white", anchor="mm")
    _ball(canvas, (x - gap + plus_width, y), radius, draw.extra, font)


def render_card(content: CardContent, *, font_path: str | None = None) -> CardImage:
    """Draw the 1080×1080 card; English text when no CJK font is available."""
    found = find_cjk_font(font_path)
    language = "zh-HK" if found else "en"
    texts = card_texts(content, language)
    image = Image.new("RGB", (SIZE, SIZE), "#0c2340")
    canvas = ImageDraw.Draw(image)
    # A quiet vertical gradient, darker at the foot where the footer sits.
    for row in range(SIZE):
        shade = row / SIZE
        canvas.line(
            [(0, row), (SIZE, row)], fill=(int(18 - 8 * shade), int(52 - 22 * shade), int(96 - 36 * shade))
        )

    def font(size: int, weight: str = "Bold") -> Font:
        return _load_font(found, size, weight)

    centre = SIZE // 2
    canvas.text((centre, 70), texts["brand"], font=font(40, "Regular"), fill="#ffd54f", anchor="mm")
    canvas.text((centre, 160), texts["title"], font=font(96), fill="white", anchor="mm")
    canvas.text((centre, 265), texts["date"], font=font(54), fill="white", anchor="mm")
    canvas.text((centre, 330), texts["time"], font=font(36, "Regular"), fill="#cfe0ff", anchor="mm")

    prize_y = 400
    if "snowball" in texts:
        canvas.text((centre, prize_y), texts["snowball"], font=font(40), fill="#ffd54f", anchor="mm")
        prize_y += 75
    box_font = font(46)
    box_width = int(canvas.textlength(texts["prize"], font=box_font)) + 80
    canvas.rounded_rectangle(
        (centre - box_width // 2, prize_y - 38, centre + box_width // 2, prize_y + 38),
        radius=38,
        fill="#ffd54f",
    )
    canvas.text((centre, prize_y), texts["prize"], font=box_font, fill="#0c2340", anchor="mm")

    y = prize_y + 95
    if content.latest is not None:
        canvas.text((centre, y), texts["latest"], font=font(34, "Regular"), fill="#cfe0ff", anchor="mm")
        _result_row(canvas, content.latest, y + 70, 46, font(40))
        y += 160
    if content.most_drawn:
        half = SIZE // 4
        label_font = font(32, "Regular")
        canvas.text((half, y), texts["most"], font=label_font, fill="#cfe0ff", anchor="mm")
        canvas.text((SIZE - half, y), texts["absent"], font=label_font, fill="#cfe0ff", anchor="mm")
        for column, numbers in ((half, content.most_drawn), (SIZE - half, content.longest_absent)):
            for offset, (number, _) in enumerate(numbers):
                _ball(canvas, (column + (offset - 1) * 96, y + 70), 40, number, font(36))
        y += 140

    canvas.text((centre, max(y + 40, 880)), texts["call"], font=font(46), fill="white", anchor="mm")
    canvas.text(
        (centre, max(y + 100, 940)), texts["odds"], font=font(28, "Regular"), fill="#cfe0ff", anchor="mm"
    )
    canvas.rectangle((0, SIZE - 70, SIZE, SIZE), fill="#061326")
    canvas.text((centre, SIZE - 35), texts["footer"], font=font(32), fill="white", anchor="mm")
    return CardImage(
        image=image,
        caption=caption(content),
        language=language,
        warning=None if found else NO_CJK_FONT,
        content=content,
    )


def card_file_name(next_draw: NextDraw, now: dt.datetime) -> str:
    """A name that changes with each render, so Instagram never caches a stale card."""
    key = next_draw.key.replace("/", "-")
    return f"card-{key}-{now.strftime('%Y%m%dT%H%M%S')}.jpg"
