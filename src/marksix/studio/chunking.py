"""Long articles in chunks that end at paragraph boundaries, so no sentence is cut in two."""

from __future__ import annotations

from collections.abc import Sequence

from marksix.errors import InputError

#: About 1,500 English words: well inside any model's context with the glossary and the answer.
DEFAULT_CHUNK_CHARS = 9000


def chunk_paragraphs(paragraphs: Sequence[str], max_chars: int = DEFAULT_CHUNK_CHARS) -> list[list[str]]:
    """Consecutive paragraphs grouped up to `max_chars` each; a longer paragraph is a chunk alone."""
    if max_chars < 1:
        raise InputError("the chunk size (max_chars) must be positive")
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if current and size + len(paragraph) > max_chars:
            chunks.append(current)
            current, size = [], 0
        current.append(paragraph)
        size += len(paragraph)
    if current:
        chunks.append(current)
    return chunks
