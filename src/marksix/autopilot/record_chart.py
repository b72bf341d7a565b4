"""Our lines against chance, draw by draw: the share of lines that won any
prize, beside the band where 95% of random play falls for that many lines.

Drawn in the style of web/charts.py (same font, axis and band colours).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from marksix.domain.rules import any_prize_probability
from marksix.web.charts import AXIS, BAND, FONT


@dataclass(frozen=True, slots=True)
class DrawPoint:
    label: str  # the draw id
    lines: int
    winning: int  # lines that won any prize


def any_prize_band(lines: int) -> tuple[float, float, float]:
    """(low, expected, high) counts of lines winning any prize under random play."""
    from scipy.stats import binom

    probability = float(any_prize_probability())
    low, high = binom.interval(0.95, lines, probability) if lines else (0.0, 0.0)
    return float(low), lines * probability, float(high)


def record_chart(points: Sequence[DrawPoint], *, label: str) -> str:
    """An SVG: per draw, the percentage of our lines that won, on random play's 95% band."""
    width, height, left, right, top, bottom = 900, 320, 56, 20, 24, 56
    shown = [point for point in points if point.lines > 0][-40:]
    body: list[str] = []
    y_max = 10.0
    rows = []
    for point in shown:
        low, expected, high = any_prize_band(point.lines)
        as_pct = [100 * value / point.lines for value in (low, expected, high, point.winning)]
        rows.append((point, as_pct))
        y_max = max(y_max, *as_pct)
    y_max = float(int(y_max / 5 + 1) * 5)

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - value / y_max)

    for step in range(6):
        tick = y_max * step / 5
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eef0f4"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" font-size="12" text-anchor="end" fill="{AXIS}">'
            f"{tick:.0f}%</text>"
        )
    if not rows:
        body.append(
            f'<text x="{width / 2}" y="{height / 2}" font-size="15" text-anchor="middle" fill="{AXIS}">'
            "No settled draw yet</text>"
        )
    step_x = (width - left - right) / max(len(rows), 1)
    for index, (point, (low, expected, high, ours)) in enumerate(rows):
        centre = left + step_x * (index + 0.5)
        half = min(step_x * 0.35, 18)
        inside = low <= ours <= high
        colour = "#6b7280" if inside else "#c2410c"
        title = (
            f"{point.label}: {point.winning:,} of {point.lines:,} lines won a prize ({ours:.1f}%); "
            f"random play: about {expected:.1f}%, {low:.1f}% to {high:.1f}% is normal"
        )
        body.append(
            f'<g class="draw" data-draw={quoteattr(point.label)}>'
            f'<rect x="{centre - half:.1f}" width="{2 * half:.1f}" y="{y(high):.1f}" '
            f'height="{max(y(low) - y(high), 1.0):.1f}" fill="{BAND}"/>'
            f'<line x1="{centre - half:.1f}" x2="{centre + half:.1f}" y1="{y(expected):.1f}" '
            f'y2="{y(expected):.1f}" stroke="#333" stroke-dasharray="4 3"/>'
            f'<circle cx="{centre:.1f}" cy="{y(ours):.1f}" r="5" fill="{colour}">'
            f"<title>{escape(title)}</title></circle>"
            f'<text x="{centre:.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle" '
            f'fill="{AXIS}">{escape(point.label)}</text></g>'
        )
    body.append(
        f'<text x="{left}" y="{height - 12}" font-size="12" fill="{AXIS}">'
        "Dots: our lines that won any prize. Grey band: where 95% of random play falls. Dashes: its average."
        "</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(label)} class="chart" {FONT}>' + "".join(body) + "</svg>"
    )
