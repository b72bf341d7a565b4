"""Drawing the draw-day post card with Pillow: a 1080×1080 image for the account's post.

`render_card` puts what `card.content` worked out on the image. Chinese text
needs a CJK font: Debian's fonts-noto-cjk is found on its own, the card_font
setting (MARKSIX_CARD_FONT, passed in as `font_path`) names another. Without
one the card is drawn in English and `CardImage.warning` says why, so nothing
shows as empty boxes. The article studio's typographic cover uses the same fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from marksix.card.content import CardContent, caption, card_file_name, card_texts
from marksix.domain.colours import COLOUR_HEX, colour_of
from marksix.domain.draws import Draw
from marksix.errors import ConfigError

SIZE = 1080
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

    def file_name(self, now: dt.datetime) -> str:
        """The name it is published under (publishing.publish_card)."""
        if self.content is None:
            raise ConfigError("this card was rendered without its content; render it again")
        return card_file_name(self.content.next_draw, now)

    def save(self, path: Path) -> None:
        """Write the file whole or not at all; .jpg/.jpeg is a JPEG, anything else a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        is_jpeg = path.suffix.lower() in (".jpg", ".jpeg")
        partial.write_bytes(self.jpeg_bytes() if is_jpeg else self.png_bytes())
        partial.replace(path)


def find_cjk_font(configured: str | None = None) -> Path | None:
    """The first CJK font that exists: the configured one, then the usual places."""
    candidates = [configured] if configured else []
    candidates += [pattern.format(weight="Bold") for pattern in CJK_FONT_CANDIDATES]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def load_font(path: Path | None, size: int, weight: str = "Bold") -> Font:
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
        return load_font(found, size, weight)

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
