"""The SVG charts: well-formed XML, one mark per number, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from marksix.domain.colours import COLOUR_HEX
from marksix.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_number_bars_draws_each_number_in_its_ball_colour_with_the_band() -> None:
    values = [float(400 + number) for number in range(49)]
    values[6] = 600.0  # number 7 leaves the band
    root = parse(
        charts.number_bars(
            values, label="頻率 <test>", expected=424.0, band=(380.0, 470.0), expected_label="預期"
        )
    )
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert [int(bar.get("data-number", "0")) for bar in bars] == list(range(1, 50))
    assert bars[0].get("fill") == COLOUR_HEX["red"]  # 1 is red
    assert bars[2].get("fill") == COLOUR_HEX["blue"]  # 3 is blue
    assert bars[4].get("fill") == COLOUR_HEX["green"]  # 5 is green
    assert bars[6].get("stroke") == "#111"  # outside the band: outlined
    assert bars[7].get("stroke") is None
    assert sum(1 for rect in root.iter(f"{SVG}rect") if rect.get("class") == "band") == 1
    assert root.get("aria-label") == "頻率 <test>"
    # Taller values make taller bars.
    assert float(bars[6].get("height", "0")) > float(bars[5].get("height", "0"))


def test_number_bars_needs_49_values() -> None:
    with pytest.raises(ValueError, match="49 values"):
        charts.number_bars([1.0] * 48, label="x")


def test_gap_heatmap_shades_longer_gaps_darker() -> None:
    gaps = [number % 10 for number in range(49)]
    root = parse(charts.gap_heatmap(gaps, label="gaps", unit="期"))
    cells = [group for group in root.iter(f"{SVG}g") if group.get("class") == "cell"]
    assert len(cells) == 49
    by_number = {int(cell.get("data-number", "0")): cell for cell in cells}
    assert by_number[10].get("data-gap") == "9"

    def fill(cell: ET.Element) -> int:
        rect = cell.find(f"{SVG}rect")
        assert rect is not None
        colour = rect.get("fill", "#000000")
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert fill(by_number[10]) < fill(by_number[1])  # gap 9 is darker than gap 0


def test_interval_chart_marks_rows_that_leave_chance() -> None:
    rows = [
        charts.Interval("random", 0.73, 0.70, 0.76),
        charts.Interval("<script>", 0.80, 0.78, 0.82, note="p = 0.001"),
    ]
    svg = charts.interval_chart(rows, label="backtest", reference=0.7347, reference_label="chance")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    circles = list(root.iter(f"{SVG}circle"))
    assert [circle.get("fill") for circle in circles] == ["#6b7280", "#c2410c"]
    with pytest.raises(ValueError):
        charts.interval_chart([], label="x", reference=0.0, reference_label="x")
