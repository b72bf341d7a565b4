"""The glossary: source names and terms with their accepted Hong Kong renderings, from YAML.

    Mark Zuckerberg: [馬克·祖克伯格, 祖克伯格]   # first rendering for the first mention
    Meta's FAIR: FAIR（基礎AI研究）

A value is one rendering or a list of them. The writing step adds the names
it chose (`with_names`), so later chunks and the checker use the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from marksix.errors import InputError


@dataclass(frozen=True, slots=True)
class Glossary:
    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def renderings(self, name: str) -> tuple[str, ...]:
        """The accepted renderings of `name`, or of the entry it is a part of ("Zuckerberg")."""
        if name in self.entries:
            return self.entries[name]
        words = name.split()
        for source, renderings in self.entries.items():
            if _is_part(words, source.split()):
                return renderings
        return ()

    def with_names(self, names: Mapping[str, Sequence[str] | str]) -> Glossary:
        """This glossary and the writer's chosen names; the glossary wins where both name one."""
        merged = {
            source: _renderings(source, value) for source, value in names.items() if str(source).strip()
        }
        merged.update(self.entries)
        return Glossary(merged)

    def to_json(self) -> dict[str, list[str]]:
        return {source: list(renderings) for source, renderings in self.entries.items()}


def _is_part(words: list[str], of: list[str]) -> bool:
    return any(of[index : index + len(words)] == words for index in range(len(of) - len(words) + 1))


def _renderings(source: str, value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    renderings = tuple(str(item).strip() for item in items if isinstance(item, str) and item.strip())
    if not renderings:
        raise InputError(f"glossary entry {source!r} needs a rendering (a text or a list of texts)")
    return renderings


def parse_glossary(text: str, *, origin: str = "glossary") -> Glossary:
    """A glossary from YAML text; an InputError naming the problem otherwise."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(f"{origin} is not valid YAML: {error}") from None
    if data is None:
        return Glossary()
    if not isinstance(data, dict):
        raise InputError(f"{origin} must be a mapping of source name to rendering(s), e.g. 'Meta: Meta'")
    return Glossary({str(source): _renderings(str(source), value) for source, value in data.items()})


def load_glossary(path: Path | None) -> Glossary:
    if path is None:
        return Glossary()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the glossary {path}: {error.strerror}") from None
    return parse_glossary(text, origin=str(path))
