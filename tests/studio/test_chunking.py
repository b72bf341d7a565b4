"""Chunks end at paragraph boundaries and keep every paragraph, in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksix.studio.chunking import chunk_paragraphs


@given(st.lists(st.text(min_size=1, max_size=300), max_size=40), st.integers(min_value=1, max_value=1000))
def test_chunks_keep_every_paragraph_in_order_and_fit(paragraphs: list[str], limit: int) -> None:
    chunks = chunk_paragraphs(paragraphs, limit)
    assert [paragraph for chunk in chunks for paragraph in chunk] == paragraphs
    for chunk in chunks:
        assert len(chunk) == 1 or sum(map(len, chunk)) <= limit


def test_a_bad_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        chunk_paragraphs(["a"], 0)
