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
from dataclasses import dataclass

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

    @classmethod
    def of(cls, *alternatives: str) -> Phrases:
        """Phrases.of("cannot stop|cannot quit", "addict"): alternatives split on "|"."""
        phrases = [phrase for group in alternatives for phrase in group.split("|")]
        return cls(tuple(tuple(stems(phrase)) for phrase in phrases))

    def found_in(self, words: Sequence[str]) -> bool:
        return any(_phrase_at(phrase, words) for phrase in self.phrases)


def _phrase_at(phrase: tuple[str, ...], words: Sequence[str]) -> bool:
    first, rest = phrase[0], phrase[1:]
    for start, word in enumerate(words):
        if not _same(first, word):
            continue
        position = start
        for part in rest:
            window = words[position + 1 : position + 2 + PHRASE_GAP]
            offset = next((i for i, candidate in enumerate(window) if _same(part, candidate)), None)
            if offset is None:
                break
            position += 1 + offset
        else:
            return True
    return False


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
