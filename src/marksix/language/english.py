"""English words reduced to a stem, so one keyword covers its inflections and near-typos.

"lose", "losing" and "lost" share the stem "los"; "gambled", "gambling" and
"gamble" share "gambl". Keywords and comments go through the same `stem`, so
the rules only have to agree with themselves, not with a dictionary. Phrases
match in order with a little slack ("win it all back" holds "win back"), and a
stem of five letters or more also matches a comment word one edit away
("gamblng", "adicted").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: Forms the suffix rules cannot reach, and contractions folded to one spelling.
IRREGULAR = {
    "lost": "lose",
    "spent": "spend",
    "sold": "sell",
    "blew": "blow",
    "blown": "blow",
    "paid": "pay",
    "owed": "owe",
    "sank": "sink",
    "sunk": "sink",
    "threw": "throw",
    "thrown": "throw",
    "left": "leave",
    "can't": "cannot",
    "cant": "cannot",
    "couldn't": "cannot",
    "couldnt": "cannot",
    "won't": "will not",
    "i'm": "i am",
    "im": "i am",
    "i've": "i have",
    "ive": "i have",
    "don't": "do not",
    "doesn't": "does not",
    "doesnt": "does not",
    "didn't": "did not",
    "didnt": "did not",
    "swore": "swear",
    "cried": "cry",
    "taken": "take",
    "took": "take",
    "dont": "do not",
    "maxed": "max",
}
SUFFIXES = ("ies", "ing", "ed", "es", "s")
VOWELS = frozenset("aeiou")
#: The most words a phrase may skip between two of its own ("chasing my losses").
PHRASE_GAP = 2
FUZZY_MIN_LENGTH = 5


def stem(word: str) -> str:
    """A crude stem: the same for a word's simple inflections, not necessarily a real word."""
    word = IRREGULAR.get(word, word)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            # "betting" -> "bett" -> "bet"
            doubled = len(word) >= 3 and word[-1] == word[-2] and word[-1] not in VOWELS | {"l", "s"}
            if suffix in ("ing", "ed") and doubled:
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def stems(text: str) -> list[str]:
    """The stems of the English words of already-normalised text, in order."""
    words: list[str] = []
    for match in WORD.finditer(text):
        words.extend(IRREGULAR.get(match.group(), match.group()).split())
    return [stem(word) for word in words]


@dataclass(frozen=True, slots=True)
class Phrases:
    """Keyword phrases, stemmed once, matched against a comment's stems."""

    phrases: tuple[tuple[str, ...], ...]
    #: Phrases by their first stem, for the exact case; the rest start with a long
    #: stem that may also match as a prefix or with a typo.
    by_first: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False)
    loose: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, *alternatives: str) -> Phrases:
        """Phrases.of("cannot stop|cannot quit", "addict"): alternatives split on "|"."""
        phrases = tuple(tuple(stems(phrase)) for group in alternatives for phrase in group.split("|"))
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0], []).append(phrase)
        loose = tuple(phrase for phrase in phrases if len(phrase[0]) >= FUZZY_MIN_LENGTH)
        return cls(phrases, {first: tuple(group) for first, group in by_first.items()}, loose)

    def found_in(self, words: Sequence[str]) -> bool:
        for start, word in enumerate(words):
            exact = self.by_first.get(word, ())
            if any(_rest_follows(phrase, words, start) for phrase in exact):
                return True
            for phrase in self.loose:
                if phrase[0] != word and _same(phrase[0], word) and _rest_follows(phrase, words, start):
                    return True
        return False


def _rest_follows(phrase: tuple[str, ...], words: Sequence[str], start: int) -> bool:
    position = start
    for part in phrase[1:]:
        window = words[position + 1 : position + 2 + PHRASE_GAP]
        offset = next((i for i, candidate in enumerate(window) if _same(part, candidate)), None)
        if offset is None:
            return False
        position += 1 + offset
    return True


@lru_cache(maxsize=65536)
def _same(keyword: str, word: str) -> bool:
    if keyword == word:
        return True
    # Long keywords also match as a prefix ("addict" in "addiction") or one typo away.
    if len(keyword) >= FUZZY_MIN_LENGTH:
        return word.startswith(keyword) or within_one_edit(keyword, word)
    return False


def within_one_edit(first: str, second: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns one into the other."""
    if abs(len(first) - len(second)) > 1 or first == second:
        return first == second
    if len(first) > len(second):
        first, second = second, first
    index = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), len(first))
    if len(first) == len(second):
        tail_swapped = first[index + 2 :] == second[index + 2 :]
        swapped = first[index : index + 2] == second[index : index + 2][::-1] and tail_swapped
        return first[index + 1 :] == second[index + 1 :] or swapped
    return first[index:] == second[index + 1 :]
