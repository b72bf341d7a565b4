"""Hong Kong usage: Simplified characters that slipped in, and Mainland or Taiwan words.

Simplified characters are found with OpenCC: a character that Simplified->Hong
Kong conversion (s2hk) changes, and Traditional->Simplified leaves alone, is
Simplified. The word list is `data/hk_lexicon.yaml`; every entry there cites
where its choice comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from marksix.language.detect import CJK, to_simplified

#: Cantonese characters OpenCC would "convert" although they are right as written.
AS_WRITTEN = frozenset("吓晒哂")


@dataclass(frozen=True, slots=True)
class UsageProblem:
    kind: str  # simplified, region_term
    found: str
    suggestion: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "found": self.found, "suggestion": self.suggestion, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    term: str
    hk: str
    region: str
    source: str
    unless: tuple[str, ...] = ()


@cache
def _s2hk() -> Any:
    import opencc

    return opencc.OpenCC("s2hk")


def to_hong_kong(text: str) -> str:
    """`text` converted from Simplified to Hong Kong Traditional characters."""
    return str(_s2hk().convert(text))


@cache
def lexicon() -> tuple[LexiconEntry, ...]:
    import yaml

    raw = yaml.safe_load(
        resources.files("marksix.studio").joinpath("data/hk_lexicon.yaml").read_text("utf-8")
    )
    return tuple(
        LexiconEntry(
            term=item["term"],
            hk=item["hk"],
            region=item["region"],
            source=item["source"],
            unless=tuple(item.get("unless", ())),
        )
        for item in raw
    )


@cache
def shared_characters() -> frozenset[str]:
    """Simplified forms that are Traditional characters too (see the data file's header)."""
    text = resources.files("marksix.studio").joinpath("data/opencc_shared_characters.txt").read_text("utf-8")
    return frozenset("".join(line.strip() for line in text.splitlines() if not line.startswith("#")))


def simplified_characters(text: str) -> list[str]:
    """The Simplified characters of `text`, each once, in order."""
    found: list[str] = []
    shared = shared_characters() | AS_WRITTEN
    for char in CJK.findall(text):
        if char in shared or char in found:
            continue
        if to_hong_kong(char) != char and to_simplified(char) == char:
            found.append(char)
    return found


def _occurs(entry: LexiconEntry, text: str) -> bool:
    start = text.find(entry.term)
    while start != -1:
        inside = any(
            text.find(longer, max(0, start - len(longer)), start + len(longer) + len(entry.term)) != -1
            for longer in entry.unless
        )
        if not inside:
            return True
        start = text.find(entry.term, start + 1)
    return False


def check_usage(text: str) -> list[UsageProblem]:
    """Every Simplified character and Mainland or Taiwan term in `text`."""
    problems = [
        UsageProblem(
            "simplified", char, to_hong_kong(char), f"Simplified character {char}; write {to_hong_kong(char)}"
        )
        for char in simplified_characters(text)
    ]
    converted = to_hong_kong(text)
    region = {"cn": "Mainland", "tw": "Taiwan"}
    for entry in lexicon():
        if _occurs(entry, converted):
            problems.append(
                UsageProblem(
                    "region_term",
                    entry.term,
                    entry.hk,
                    f"{entry.term} is {region.get(entry.region, entry.region)} usage;"
                    f" Hong Kong writes {entry.hk} ({entry.source})",
                )
            )
    return problems
