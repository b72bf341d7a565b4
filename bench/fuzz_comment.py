"""Fuzz the comment parser: normalising, language, numbers, parameters, harm signs, intent.

These are the pure steps that turn a comment into a request; they must
answer for any text Instagram could deliver (up to 2,200 characters).

    python bench/fuzz_comment.py --runs 1000000
"""

from __future__ import annotations

import atheris

from fuzz_support import run

with atheris.instrument_imports():
    from marksix.language.detect import detect_language
    from marksix.language.harm import harm_signs
    from marksix.language.intents import classify
    from marksix.language.numerals import normalise, number_tokens
    from marksix.language.parameters import parse_parameters

WORDS = (
    "六合彩",
    "號碼",
    "要有8號",
    "唔要4",
    "膽",
    "拖",
    "複式",
    "lucky",
    "numbers",
    "十二",
    "四十九",
    "頭獎",
)


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    parts = []
    while provider.remaining_bytes() and len(parts) < 12:
        if provider.ConsumeBool():
            parts.append(WORDS[provider.ConsumeIntInRange(0, len(WORDS) - 1)])
        else:
            parts.append(provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 60)))
    text = "".join(parts)[:2200]
    detect_language(text)
    normalised = normalise(text)
    tokens = number_tokens(normalised)
    parameters = parse_parameters(normalised)
    harm_signs(normalised)
    classify(normalised, has_ticket_numbers=bool(tokens), is_own=False, bare_count=len(tokens))
    assert parameters is not None


if __name__ == "__main__":
    run("comment parser", one_input)
