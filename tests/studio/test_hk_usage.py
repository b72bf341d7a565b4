"""Hong Kong usage: Simplified characters and Mainland or Taiwan terms are flagged, HK text is not."""

from __future__ import annotations

import pytest

from marksix.studio.hk_usage import check_usage, lexicon


def found(text: str) -> list[tuple[str, str, str]]:
    return [(problem.kind, problem.found, problem.suggestion) for problem in check_usage(text)]


def test_simplified_characters_are_named_with_their_hk_form() -> None:
    assert found("软件") == [("simplified", "软", "軟")]


@pytest.mark.parametrize(
    ("text", "term", "hk"),
    [
        ("這款軟體很好用", "軟體", "軟件"),
        ("網路速度", "網路", "網絡"),
        ("一段視頻", "視頻", "影片"),
        ("服務器故障", "服務器", "伺服器"),
    ],
)
def test_region_terms(text: str, term: str, hk: str) -> None:
    assert found(text) == [("region_term", term, hk)]


def test_hong_kong_text_passes() -> None:
    assert found("呢個軟件經網絡播放影片，佢哋喺伺服器度搜尋咗好耐，嚇晒。") == []
    assert found("軟體動物") == []  # a mollusc, right as written


def test_every_lexicon_entry_cites_a_source() -> None:
    entries = lexicon()
    assert len(entries) >= 15
    for entry in entries:
        assert entry.source.strip()
        assert entry.region in {"cn", "tw"}
        assert check_usage(entry.hk) == []
