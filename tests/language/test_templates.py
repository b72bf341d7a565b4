"""The wording: enough variety, no digits of its own, no win claims, valid fields."""

from __future__ import annotations

import string

import pytest

from marksix.language import Comment, ReplyContext, respond
from marksix.language.intents import INTENTS
from marksix.language.safety import FORBIDDEN_CLAIMS, forbidden_claims, numbers_in
from marksix.language.templates import WORDINGS
from marksix.language.templates.base import Wording

#: Pieces whose numbers are fixed product text (the help line, the examples of
#: requests) or engine values themselves (weekday and prize tier names).
FIXED_WITH_NUMBERS = ("footer", "help_examples", "weekdays", "tiers")


def field_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def every_text(wording: Wording) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for intent, templates in wording.intents.items():
        texts += [(f"intent {intent}", template) for template in templates]
    for name in wording.__dataclass_fields__:
        value = getattr(wording, name)
        if isinstance(value, str):
            texts.append((name, value))
        elif isinstance(value, tuple) and name != "months":
            texts += [(name, item) for item in value if isinstance(item, str)]
        elif isinstance(value, dict) and name != "intents":
            for item in value.values():
                items = item if isinstance(item, tuple) else (item,)
                texts += [(name, text) for text in items]
    return texts


@pytest.mark.parametrize("language", sorted(WORDINGS))
def test_at_least_eight_templates_per_intent(language: str) -> None:
    wording = WORDINGS[language]
    replying = set(INTENTS) - {"ignore"}
    assert set(wording.intents) == replying
    for intent in replying:
        templates = wording.intents[intent]
        assert len(set(templates)) >= 8, (language, intent)
        assert all(template.startswith("{m}") for template in templates)
    assert len(set(wording.honest)) >= 8


@pytest.mark.parametrize("language", sorted(WORDINGS))
def test_wording_holds_no_digits_and_no_win_claims(language: str) -> None:
    for name, text in every_text(WORDINGS[language]):
        assert not forbidden_claims(text), (name, text)
        if name not in FIXED_WITH_NUMBERS:
            assert not numbers_in(text), (name, text)


@pytest.mark.parametrize("language", sorted(WORDINGS))
def test_templates_of_an_intent_use_the_same_fields(language: str) -> None:
    for intent, templates in WORDINGS[language].intents.items():
        fields = {
            frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
            for template in templates
        }
        assert len(fields) == 1, (language, intent, fields)


def test_the_lexicon_covers_the_three_languages() -> None:
    for claim in (
        "必中",
        "穩中",
        "保證",
        "包中",
        "命中率",
        "稳中",
        "保证",
        "guarantee",
        "sure win",
        "hit rate",
    ):
        assert claim in FORBIDDEN_CLAIMS
    assert forbidden_claims("100% GUARANTEED win") == ["guarantee"]


@pytest.mark.parametrize("text", ["俾組號碼我", "给我一组号码", "numbers please"])
def test_wording_varies_across_commenters(context: ReplyContext, text: str) -> None:
    heads = {(respond(Comment(text, "fan", f"id-{n}"), context).text or "").split("\n")[0] for n in range(80)}
    assert len(heads) >= 8
