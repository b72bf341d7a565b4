"""The faithfulness check: every fact of the English source, found again in the Chinese text or not.

For each number, money amount, percentage, date and name of the source the
report says `kept`, `missing` or `changed`:

- kept: the translation states the same value (15 billion dollars = 150億美元;
  a plain number is kept by the same value in any form, so "10-15%" may read
  "10%至15%"); a date is kept by one that agrees on all the source wrote;
- changed: the translation has a value left unexplained that looks like the
  source's slipped: the same digits at another scale (15 billion -> 15億), the
  same amount without its currency or with another, the same month another day;
- missing: neither.

A figure in the translation that the source does not have is a problem
(`added`), and so is any figure or Latin-script name in the commentary that
the source does not have (`new_fact`): commentary may argue, not inform.

Names: a Latin-script name of the source is kept when the translation writes
it as it is, or writes one of its renderings from the glossary or from the
names the writing step reported. Where the glossary lists several renderings,
the first is for the first mention: a shorter one before it is `first_mention`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from marksix.studio.facts import KIND_DATE, KIND_NAME, Fact, chinese_facts, english_facts, latin_names
from marksix.studio.glossary import Glossary
from marksix.studio.quantities import KIND_NUMBER, in_chinese_units, significant_digits

KEPT, MISSING, CHANGED = "kept", "missing", "changed"


@dataclass(frozen=True, slots=True)
class FactResult:
    kind: str
    source: str
    status: str
    translation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "status": self.status,
            "translation": self.translation,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # missing, changed, added, new_fact
    source: str | None
    translation: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "translation": self.translation,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Report:
    facts: tuple[FactResult, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "facts": [fact.to_json() for fact in self.facts],
            "problems": [problem.to_json() for problem in self.problems],
        }

    def merged(self, other: Report) -> Report:
        return Report(self.facts + other.facts, self.problems + other.problems)


def _value(fact: Fact) -> Decimal | None:
    if fact.kind == KIND_DATE:
        year, month, day = fact.key
        return Decimal(year) if month is None and day is None and isinstance(year, int) else None
    value = fact.key[1]
    return value if isinstance(value, Decimal) else None


def agrees(source: Fact, other: Fact) -> bool:
    """Whether `other` states the fact `source` states."""
    if source.kind == KIND_DATE and other.kind == KIND_DATE:
        return all(mine is None or mine == theirs for mine, theirs in zip(source.key, other.key, strict=True))
    if source.key == other.key:
        return True
    # A plain number (or a bare year) is the same fact in whatever form it comes back.
    if _plain(source):
        mine, theirs = _value(source), _value(other)
        return mine is not None and mine == theirs
    return False


def _plain(fact: Fact) -> bool:
    if fact.kind == KIND_DATE:
        return _value(fact) is not None
    return fact.kind == KIND_NUMBER and fact.key[2] == ""


def _slipped(source: Fact, other: Fact) -> str | None:
    """Why `other` looks like `source` gone wrong, or None if it does not."""
    if KIND_DATE in (source.kind, other.kind):
        if source.kind == other.kind == KIND_DATE:
            same = [mine == theirs for mine, theirs in zip(source.key, other.key, strict=True) if mine]
            if any(same):
                return f"{source.text} became {other.text}"
        return None
    mine, theirs = _value(source), _value(other)
    if mine is None or theirs is None:
        return None
    if mine == theirs:
        if source.kind != other.kind or source.key[2] != other.key[2]:
            return (
                f"{source.text} is {source.kind} {source.key[2] or ''}".strip() + f"; it became {other.text}"
            )
        return None
    if significant_digits(mine) == significant_digits(theirs):
        unit = f" {source.key[2]}" if source.key[2] else ""
        return f"scale slipped: {source.text} is {in_chinese_units(mine)}{unit}, not {other.text}"
    # A percentage, an amount or a measure that became another of its kind was changed, not dropped.
    if (
        source.kind == other.kind
        and source.key[2] == other.key[2]
        and (source.key[2] or source.kind != KIND_NUMBER)
    ):
        return f"{source.text} became {other.text}"
    return None


def _check_figures(
    source: Sequence[Fact], translation: Sequence[Fact]
) -> tuple[list[FactResult], list[Problem]]:
    results: list[FactResult] = []
    problems: list[Problem] = []
    accounted = [any(agrees(fact, other) for fact in source) for other in translation]
    seen: set[tuple[object, ...]] = set()
    for fact in source:
        if (fact.kind, *fact.key) in seen:
            continue
        seen.add((fact.kind, *fact.key))
        match = next((other for other in translation if agrees(fact, other)), None)
        if match is not None:
            results.append(FactResult(fact.kind, fact.text, KEPT, match.text))
            continue
        slip = next(
            (
                (index, reason)
                for index, other in enumerate(translation)
                if not accounted[index] and (reason := _slipped(fact, other))
            ),
            None,
        )
        if slip is not None:
            index, reason = slip
            other = translation[index]
            # The same slip repeated (headline and body) is one problem.
            for position, same in enumerate(translation):
                if same.key == other.key and same.kind == other.kind:
                    accounted[position] = True
            results.append(FactResult(fact.kind, fact.text, CHANGED, other.text))
            problems.append(Problem(CHANGED, fact.text, other.text, reason))
        else:
            results.append(FactResult(fact.kind, fact.text, MISSING))
            expected = _expected(fact)
            problems.append(Problem(MISSING, fact.text, None, f"the translation does not state {expected}"))
    for index, other in enumerate(translation):
        if accounted[index]:
            continue
        # Kept in the headline and slipped in the body is still a slip.
        late = next(((mine, why) for mine in source if (why := _slipped(mine, other))), None)
        if late is None:
            problems.append(Problem("added", None, other.text, f"{other.text} is not in the source"))
            continue
        slipped, why = late
        problems.append(Problem(CHANGED, slipped.text, other.text, why))
        results = [
            FactResult(result.kind, result.source, CHANGED, other.text)
            if result.source == slipped.text
            else result
            for result in results
        ]
        for position, same in enumerate(translation):
            if same.key == other.key:
                accounted[position] = True
    return results, problems


def _expected(fact: Fact) -> str:
    value = _value(fact)
    if fact.kind == KIND_DATE or value is None:
        return fact.text
    return f"{fact.text} ({in_chinese_units(value)}{' ' + str(fact.key[2]) if fact.key[2] else ''})"


def _check_names(
    names: Iterable[str], translation: str, glossary: Glossary
) -> tuple[list[FactResult], list[Problem]]:
    results: list[FactResult] = []
    problems: list[Problem] = []
    for name in names:
        accepted = (name, *glossary.renderings(name))
        found = next((rendering for rendering in accepted if rendering in translation), None)
        if found is not None:
            results.append(FactResult(KIND_NAME, name, KEPT, found))
            first = _first_mention(translation, glossary.renderings(name))
            if first is not None:
                problems.append(
                    Problem(
                        "first_mention",
                        name,
                        first,
                        f"{name} is first written {first}; "
                        f"the glossary asks for {glossary.renderings(name)[0]} on first mention",
                    )
                )
            continue
        results.append(FactResult(KIND_NAME, name, MISSING))
        others = accepted[1:]
        how = f"as written or as {' / '.join(others)}" if others else "as written (no glossary rendering)"
        problems.append(Problem(MISSING, name, None, f"{name}: name not found {how}"))
    return results, problems


def _first_mention(translation: str, renderings: Sequence[str]) -> str | None:
    """The short form a text uses before the full one (祖克伯格 before 馬克·祖克伯格), if it does."""
    if len(renderings) < 2:
        return None
    full = renderings[0]
    covered = [range(match.start(), match.end()) for match in re.finditer(re.escape(full), translation)]
    first_full = covered[0].start if covered else len(translation)
    for short in renderings[1:]:
        for match in re.finditer(re.escape(short), translation):
            if match.start() < first_full and not any(match.start() in span for span in covered):
                return short
    return None


def source_names(source: str, glossary: Glossary) -> list[str]:
    """The names to look for: glossary entries the source mentions, then its other Latin names."""
    names = [entry for entry in glossary.entries if entry in source]
    for name in latin_names(source):
        if name not in names and not any(name in entry for entry in names):
            names.append(name)
    return names


def check(
    source: str,
    translation: str,
    *,
    glossary: Glossary | None = None,
    commentary: str = "",
) -> Report:
    """Compare an English source with its Chinese translation (and commentary, if any)."""
    glossary = glossary or Glossary()
    source_facts = english_facts(source)
    results, problems = _check_figures(source_facts, chinese_facts(translation))
    name_results, name_problems = _check_names(source_names(source, glossary), translation, glossary)
    results += name_results
    problems += name_problems
    if commentary:
        problems += new_facts(source, commentary, glossary=glossary, source_facts=source_facts)
    return Report(tuple(results), tuple(problems))


def new_facts(
    source: str,
    commentary: str,
    *,
    glossary: Glossary | None = None,
    source_facts: Sequence[Fact] | None = None,
) -> list[Problem]:
    """Figures and names in `commentary` that `source` does not have."""
    glossary = glossary or Glossary()
    known = english_facts(source) if source_facts is None else source_facts
    problems = [
        Problem("new_fact", None, fact.text, f"the commentary states {fact.text}, which the source does not")
        for fact in chinese_facts(commentary)
        if not any(agrees(mine, fact) or agrees(fact, mine) for mine in known)
    ]
    renderings = {rendering for values in glossary.entries.values() for rendering in values}
    for name in latin_names(commentary):
        if name not in source and name not in renderings:
            problems.append(
                Problem("new_fact", None, name, f"the commentary names {name}, whom the source does not")
            )
    return problems


BRIEF_HEADING = "其他AI動態快訊"
OPINION_HEADING = "我的觀點與評論"
FOOTER_RULE = "---"


def split_article(markdown: str) -> tuple[str, str]:
    """(translation, commentary) of an article as `write` lays it out.

    The news brief has sources of its own and the footer (credit, source link)
    is not the story, so neither is compared with the source. A text with no
    such headings is all translation.
    """
    translation: list[str] = []
    commentary: list[str] = []
    target: list[str] | None = translation
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped == FOOTER_RULE:
            break
        if stripped.startswith("#"):
            if BRIEF_HEADING in stripped:
                target = None
                continue
            if OPINION_HEADING in stripped:
                target = commentary
                continue
            if target is None:
                target = translation
        if target is not None:
            target.append(line)
    return "\n".join(translation), "\n".join(commentary)
