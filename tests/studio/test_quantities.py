"""The number normaliser: English and Chinese ways of writing a figure come to one exact value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.studio.quantities import (
    chinese_numeral,
    chinese_quantities,
    english_quantities,
    in_chinese_units,
    significant_digits,
)

DIGITS = "零一二三四五六七八九"


def written_in_chinese(number: int) -> str:
    """An independent writer of Chinese numerals (一百五十億, 兩萬零三), to test the reader against."""
    if number == 0:
        return "零"
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    words = ""
    for position in range(len(groups) - 1, -1, -1):
        group = groups[position]
        if group == 0:
            continue
        part = ""
        for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = group // value % 10
            if digit:
                part += DIGITS[digit] + name
            elif part and not part.endswith("零") and group % value:
                part += "零"
        if words and group < 1000 and not words.endswith("零"):
            words += "零"
        words += part + ("", "萬", "億", "萬億")[position]
    return words


def only(found: list[object]) -> object:
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("15 billion", "150億"),
        ("2 million", "200萬"),
        ("18,000", "1.8萬"),
        ("40 megawatts", "40兆瓦"),
        ("40 MW", "四十兆瓦"),
        ("1.5 gigawatts", "150萬千瓦"),
        ("$15 billion", "150億美元"),
        ("US$2.5bn", "25億美元"),
        ("HK$3 million", "300萬港元"),
        ("€3m", "300萬歐元"),
        ("12.5 per cent", "百分之十二點五"),
        ("7%", "7％"),
        ("3 percentage points", "3個百分點"),
        ("two billion", "二十億"),
    ],
)
def test_the_same_figure_in_both_languages(english: str, chinese: str) -> None:
    source = only(english_quantities(english))
    translation = only(chinese_quantities(chinese))
    assert source.key == translation.key  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("15 billion", "15億"), ("2 million", "2萬"), ("18,000", "18萬"), ("$15 billion", "150億港元")],
)
def test_a_slipped_scale_or_currency_is_another_figure(english: str, chinese: str) -> None:
    assert only(english_quantities(english)).key != only(chinese_quantities(chinese)).key  # type: ignore[attr-defined]


def test_words_and_names_are_not_figures() -> None:
    assert chinese_quantities("兩間公司推出一些新產品") == []
    assert english_quantities("H100 and A100 chips, a 100m sprint") == []


@given(st.integers(min_value=1, max_value=10**15))
def test_chinese_numerals_read_back(number: int) -> None:
    assert chinese_numeral(written_in_chinese(number)) == number


@given(st.integers(min_value=1, max_value=10**15))
def test_digits_with_commas_and_in_chinese_units_agree(number: int) -> None:
    english = only(english_quantities(f"{number:,}"))
    chinese = only(chinese_quantities(in_chinese_units(Decimal(number))))
    assert english.value == chinese.value == number  # type: ignore[attr-defined]


@given(
    st.integers(min_value=1, max_value=999), st.sampled_from(["thousand", "million", "billion", "trillion"])
)
def test_english_scales_read_as_chinese_units(mantissa: int, scale: str) -> None:
    power = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}[scale]
    english = only(english_quantities(f"{mantissa} {scale}"))
    chinese = only(chinese_quantities(in_chinese_units(Decimal(mantissa) * 10**power)))
    assert english.key == chinese.key  # type: ignore[attr-defined]
    # The classic slip keeps the digits and loses the scale: that is how the checker spots it.
    slipped = only(chinese_quantities(f"{mantissa}億"))
    assert significant_digits(slipped.value) == significant_digits(english.value)  # type: ignore[attr-defined]
    assert (slipped.value == english.value) == (power == 8)  # type: ignore[attr-defined]


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(999), places=2))
def test_percentages_in_any_form(value: Decimal) -> None:
    text = f"{value.normalize():f}"
    assert only(english_quantities(f"{text}%")).key == only(chinese_quantities(f"{text}％")).key  # type: ignore[attr-defined]
    assert only(english_quantities(f"{text} per cent")).key == only(chinese_quantities(f"百分之{text}")).key  # type: ignore[attr-defined]
