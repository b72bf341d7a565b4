"""The cover: a typographic card drawn with Pillow (the offline default), or FLUX through diffusers.

The card shows the headline, one key figure, a palette chosen from the
headline, and the credit; it uses the post card's CJK font handling.

FLUX (`marksix[flux]`) loads weights only from a local folder the user gives
(`local_files_only`, so nothing is downloaded at run time). The LLM writes the
prompt; before it is used, every name of the source is taken out of it and
the prompt is told to avoid people, so the cover shows no one's likeness.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from PIL import Image, ImageDraw, ImageFont

from marksix.card.drawing import find_cjk_font, load_font
from marksix.errors import ConfigError, missing_extra

WIDTH = 1080
HEIGHT = 1080
PALETTES = [
    ("#0c2340", "#ffd54f", "#ffffff"),
    ("#1b1b1f", "#4dd0e1", "#f5f5f5"),
    ("#3e1f47", "#ff8a65", "#fff8e1"),
    ("#0f3d2e", "#aed581", "#f1f8e9"),
]
NO_LIKENESS = "abstract editorial illustration, no people, no faces, no human figures, no text, no logos"


class FluxPipeline(Protocol):
    """What the cover needs of a diffusers pipeline: call it with a prompt, get `.images`."""

    def __call__(self, *, prompt: str, width: int, height: int, num_inference_steps: int) -> Any: ...


PipelineFactory = Callable[[str], FluxPipeline]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    # Chinese has no spaces to break at; any character boundary will do, but Latin words stay whole.
    tokens = re.findall(r"[A-Za-z0-9$%.,'’-]+|\s|.", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if draw.textlength(line + token, font=font) > width and line.strip():
            lines.append(line.strip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.strip())
    return lines


def render_card_cover(
    headline: str, key_figure: str, credit: str, *, font_path: str | None = None
) -> Image.Image:
    """The 1080×1080 typographic cover."""
    background, accent, ink = PALETTES[int(hashlib.sha256(headline.encode()).hexdigest(), 16) % len(PALETTES)]
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    font_file = find_cjk_font(font_path)

    def font(size: int, weight: str = "Bold") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        return load_font(font_file, size, weight)

    draw.rectangle((0, 0, WIDTH, 18), fill=accent)
    y = 110
    title_font = font(72)
    for line in _wrap(draw, headline, title_font, WIDTH - 160)[:5]:
        draw.text((80, y), line, font=title_font, fill=ink)
        y += 96
    if key_figure:
        figure_font = font(150)
        figure = _wrap(draw, key_figure, figure_font, WIDTH - 160)[:2]
        y = max(y + 60, 600 - 80 * (len(figure) - 1))
        for line in figure:
            draw.text((80, y), line, font=figure_font, fill=accent)
            y += 170
    credit_font = font(28, "Regular")
    for index, line in enumerate(reversed(_wrap(draw, credit, credit_font, WIDTH - 160)[:2])):
        draw.text((80, HEIGHT - 70 - index * 40), line, font=credit_font, fill=ink)
    return image


def safe_prompt(prompt: str, names: Iterable[str]) -> str:
    """The LLM's prompt with every name removed and the no-likeness clause added."""
    cleaned = prompt
    for name in sorted(names, key=len, reverse=True):
        if name:
            cleaned = re.sub(re.escape(name), "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s{2,}", " ", cleaned).strip(" ,.")
    return f"{cleaned}. {NO_LIKENESS}" if cleaned else NO_LIKENESS


def _diffusers_factory(path: str) -> FluxPipeline:
    try:
        from diffusers import FluxPipeline as DiffusersFlux  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise missing_extra("flux", "diffusers") from None
    pipeline: FluxPipeline = DiffusersFlux.from_pretrained(path, local_files_only=True)
    return pipeline


def render_flux_cover(
    prompt: str,
    model_path: Path | None,
    *,
    steps: int = 4,
    pipeline_factory: PipelineFactory | None = None,
) -> Image.Image:
    """FLUX's picture for `prompt`, from weights in `model_path`, 1080 wide."""
    if model_path is None:
        raise ConfigError(
            "--image flux needs local FLUX weights: pass --flux-model DIR (or MARKSIX_FLUX_MODEL)"
        )
    if not model_path.is_dir():
        raise ConfigError(f"the FLUX model folder {model_path} does not exist")
    pipeline = (pipeline_factory or _diffusers_factory)(str(model_path))
    result = pipeline(prompt=prompt, width=1024, height=1024, num_inference_steps=steps)
    images = getattr(result, "images", None)
    if not images or not isinstance(images[0], Image.Image):
        raise ConfigError("the FLUX pipeline returned no image")
    picture: Image.Image = images[0].convert("RGB")
    return picture.resize((WIDTH, round(picture.height * WIDTH / picture.width)))


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90, optimize=True)
    return buffer.getvalue()
