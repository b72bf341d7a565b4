"""Server-rendered SVG charts: nothing to download, so the pages work offline.

Each function takes plain numbers and returns an `<svg>` string that scales
with its container (viewBox, no fixed width). Every mark carries a <title>
so hovering shows the exact figure, and the text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from marksix.domain.colours import COLOUR_HEX, colour_of

FONT = "font-family=\"'Noto Sans CJK HK','Noto Sans CJK TC',system-ui,sans-serif\""
AXIS = "#8a94a6"
BAND = "#d6dbe4"


@dataclass(frozen=True, slots=True)
class Interval:
    """One row of an interval chart: a point estimate and its 95% interval."""

    label: str
    value: float
    low: float
    high: float
    note: str = ""


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label={quoteattr(label)} class="chart" {FONT}>' + "".join(body) + "</svg>"
    )


def _nice_ceiling(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _steps(y_max: float) -> int:
    """Gridlines at round values: 2.5 and 5 split in five, 1 and 2 in four."""
    mantissa = round(y_max / 10 ** math.floor(math.log10(y_max)), 3) if y_max > 0 else 1.0
    return 5 if mantissa in (2.5, 5.0) else 4


def _format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def number_bars(
    values: Sequence[float],
    *,
    label: str,
    expected: float | None = None,
    band: tuple[float, float] | None = None,
    unit: str = "",
    expected_label: str = "",
) -> str:
    """One bar per number 1..49 in its ball colour, with the band and line of chance.

    `values[i]` belongs to number i+1. The band (e.g. the 95% range by
    chance) is drawn behind the bars so the eye sees which bars leave it.
    """
    if len(values) != 49:
        raise ValueError(f"number_bars needs 49 values (numbers 1-49), got {len(values)}")
    width, height = 980, 360
    left, right, top, bottom = 56, 12, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([*values, band[1] if band else 0.0, expected or 0.0])
    y_max = _nice_ceiling(top_value * 1.05)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    body: list[str] = []
    steps = _steps(y_max)
    for step in range(steps + 1):
        tick = y_max * step / steps
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#eef0f4"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="{AXIS}">{_format(tick)}</text>'
        )
    if band is not None:
        body.append(
            f'<rect class="band" x="{left}" width="{plot_w}" y="{y(band[1]):.1f}" '
            f'height="{y(band[0]) - y(band[1]):.1f}" fill="{BAND}" opacity="0.7">'
            f"<title>{escape(f'{_format(band[0])} – {_format(band[1])}')}</title></rect>"
        )
    slot = plot_w / 49
    for index, value in enumerate(values):
        number = index + 1
        x = left + index * slot + slot * 0.15
        outside = band is not None and not band[0] <= value <= band[1]
        outline = ' stroke="#111" stroke-width="1.5"' if outside else ""
        body.append(
            f'<rect class="bar" data-number="{number}" x="{x:.1f}" y="{y(value):.1f}" '
            f'width="{slot * 0.7:.1f}" '
            f'height="{y(0) - y(value):.1f}" fill="{COLOUR_HEX[colour_of(number)]}" '
            f'opacity="{1.0 if outside or band is None else 0.75}"'
            f"{outline}>"
            f"<title>{number}: {escape(_format(value))}{escape(unit)}</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="#444">{number}</text>'
        )
    if expected is not None:
        body.append(
            f'<line class="expected" x1="{left}" x2="{width - right}" y1="{y(expected):.1f}" '
            f'y2="{y(expected):.1f}" stroke="#333" stroke-dasharray="6 4" stroke-width="1.5">'
            f"<title>{escape(expected_label)} {escape(_format(expected))}</title></line>"
        )
        if expected_label:
            # Above the band (or the line), at the left, clear of the bars' tops.
            label_y = min(y(band[1]) if band else y(expected), y(max(values))) - 8
            body.append(
                f'<text x="{left + 6}" y="{max(label_y, top + 12):.1f}" font-size="13" '
                f'text-anchor="start" fill="#333">{escape(expected_label)} {escape(_format(expected))}'
                f"{escape(unit.strip())}</text>"
            )
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{AXIS}"/>')
    return _svg(width, height, body, label)


def _heat(fraction: float) -> str:
    """Pale yellow to deep red: a sequential scale that prints in grey too."""
    fraction = min(max(fraction, 0.0), 1.0)
    start, end = (255, 247, 214), (165, 15, 21)
    red, green, blue = (round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def gap_heatmap(gaps: Sequence[int], *, label: str, unit: str = "") -> str:
    """The 49 numbers on a 7×7 board, shaded by draws since each was last drawn."""
    if len(gaps) != 49:
        raise ValueError(f"gap_heatmap needs 49 gaps (numbers 1-49), got {len(gaps)}")
    cell, pad = 96, 6
    size = 7 * cell + 2 * pad
    longest = max(*gaps, 1)
    body: list[str] = []
    for index, gap in enumerate(gaps):
        number = index + 1
        row, column = divmod(index, 7)
        x, y = pad + column * cell, pad + row * cell
        fraction = gap / longest
        ink = "white" if fraction > 0.55 else "#222"
        body.append(
            f'<g class="cell" data-number="{number}" data-gap="{gap}">'
            f'<rect x="{x + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" rx="10" '
            f'fill="{_heat(fraction)}"><title>{number}: {gap}{escape(unit)}</title></rect>'
            f'<circle cx="{x + 18}" cy="{y + 18}" r="7" fill="{COLOUR_HEX[colour_of(number)]}"/>'
            f'<text x="{x + cell / 2}" y="{y + 50}" font-size="30" font-weight="700" text-anchor="middle" '
            f'fill="{ink}">{number}</text>'
            f'<text x="{x + cell / 2}" y="{y + 78}" font-size="15" text-anchor="middle" fill="{ink}">'
            f"{gap}{escape(unit)}</text></g>"
        )
    return _svg(size, size, body, label)


def interval_chart(
    rows: Sequence[Interval],
    *,
    label: str,
    reference: float,
    reference_label: str,
    unit: str = "",
    band: tuple[float, float] | None = None,
) -> str:
    """Each row's estimate with its 95% interval, against a reference line (chance).

    `band`, when given, shades where 95% of estimates fall by chance alone.
    """
    if not rows:
        raise ValueError("interval_chart needs at least one row")
    row_height, left, right, top = 44, 170, 30, 36
    width = 900
    height = top + row_height * len(rows) + 40
    low = min(*(row.low for row in rows), reference, *(band or ()))
    high = max(*(row.high for row in rows), reference, *(band or ()))
    margin = (high - low) * 0.15 or abs(reference) * 0.1 or 1.0
    low, high = low - margin, high + margin

    def x(value: float) -> float:
        return left + (width - left - right) * (value - low) / (high - low)

    body = []
    if band is not None:
        body.append(
            f'<rect class="band" x="{x(band[0]):.1f}" width="{x(band[1]) - x(band[0]):.1f}" y="{top - 10}" '
            f'height="{height - 30 - top + 10}" fill="{BAND}" opacity="0.6">'
            f"<title>{escape(f'{_format(band[0])} – {_format(band[1])}')}</title></rect>"
        )
    body += [
        f'<line class="reference" x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="{top - 10}" '
        f'y2="{height - 30}" stroke="#333" stroke-dasharray="6 4"/>'
        f'<text x="{x(reference):.1f}" y="{top - 16}" font-size="13" text-anchor="middle" fill="#333">'
        f"{escape(reference_label)} {escape(_format(reference))}{escape(unit)}</text>"
    ]
    for index, row in enumerate(rows):
        y = top + index * row_height + row_height / 2
        crosses = row.low <= reference <= row.high
        colour = "#6b7280" if crosses else "#c2410c"
        title = (
            f"{row.label}: {_format(row.value)}{unit} ({_format(row.low)} – {_format(row.high)}) {row.note}"
        )
        body.append(
            f'<g class="interval" data-label={quoteattr(row.label)}>'
            f'<text x="{left - 12}" y="{y + 5:.1f}" font-size="15" text-anchor="end" fill="#222">'
            f"{escape(row.label)}</text>"
            f'<line x1="{x(row.low):.1f}" x2="{x(row.high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<circle cx="{x(row.value):.1f}" cy="{y:.1f}" r="7" fill="{colour}">'
            f"<title>{escape(title.strip())}</title></circle></g>"
        )
    for step in range(5):
        tick = low + (high - low) * step / 4
        body.append(
            f'<text x="{x(tick):.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
            f'fill="{AXIS}">{escape(_format(tick))}</text>'
        )
    return _svg(width, height, body, label)


def timeline_bars(values: Sequence[float], labels: Sequence[str], *, label: str, unit: str = "") -> str:
    """A compact bar chart over time (oldest first), for the overview's throughput."""
    if not values or len(values) != len(labels):
        raise ValueError("timeline_bars needs one label per value, and at least one value")
    width, height, bottom, top = 600, 140, 22, 18
    slot = width / len(values)
    y_max = _nice_ceiling(max(*values, 1.0))
    body: list[str] = [
        f'<text x="2" y="12" font-size="12" fill="{AXIS}">{escape(_format(y_max))}{escape(unit)}</text>'
    ]
    for index, (value, name) in enumerate(zip(values, labels, strict=True)):
        bar = (height - bottom - top) * value / y_max
        x = index * slot + slot * 0.12
        body.append(
            f'<rect class="tick" x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{slot * 0.76:.1f}" '
            f'height="{bar:.1f}" rx="3" fill="#1d6fd1"><title>{escape(name)}: '
            f"{escape(_format(value))}{escape(unit)}</title></rect>"
        )
        if index % 3 == 0 or index == len(values) - 1:
            body.append(
                f'<text x="{x + slot * 0.38:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
                f'fill="{AXIS}">{escape(name)}</text>'
            )
    body.append(f'<line x1="0" x2="{width}" y1="{height - bottom}" y2="{height - bottom}" stroke="{AXIS}"/>')
    return _svg(width, height, body, label)
