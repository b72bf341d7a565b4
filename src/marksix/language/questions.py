"""Answers to the finer questions a follower asks: one tier's odds, a stated window, the extra number.

Each answer is built from engine values through `Facts.show`, like the
intents' answers, and never carries a ticket.
"""

from __future__ import annotations

import re
from collections import Counter

from marksix.domain.draws import DrawHistory
from marksix.domain.rules import TIER_BY_NUMBER
from marksix.language.answers import (
    COLD_ASK,
    LIST_LENGTH,
    STATS_WINDOW,
    Answer,
    Ask,
    request_json,
    stale_note,
)
from marksix.language.fitting import Part
from marksix.language.freshness import archive_is_behind

TIER_WORDS = {
    **{f"{char}獎": number for number, char in enumerate("頭二三四五六七", start=1)},
    **{f"{char}等奖": number for number, char in enumerate("一二三四五六七", start=1)},
    **{f"{char}等獎": number for number, char in enumerate("一二三四五六七", start=1)},
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "jackpot": 1, "頭奖": 1, "头奖": 1,
}  # fmt: skip
TIER_ASK = re.compile("|".join(sorted((re.escape(word) for word in TIER_WORDS), key=len, reverse=True)))
WINDOW_ASK = re.compile(
    r"(?:近|最近|過去|过去|last|past)\s*(\d{1,4})\s*(?:期|draws?|次)?|(\d{1,4})\s*(?:期|draws)"
)
THIS_YEAR = re.compile(r"今年|this year", re.IGNORECASE)
TEXTS = {
    "zh-HK": {
        "tier": "{m} {tier}（中{matched}個號{extra}）嘅機會係 {one} / {odds}，每注都一樣。",
        "extra": "＋特別號碼",
        "extra_hot": "{m} 特別號碼近{window}期最常出：{items}",
        "year": "{m} 今年（{year}年）我有{window}期紀錄：",
        "window": "{m}",
    },
    "zh-CN": {
        "tier": "{m} {tier}（中{matched}个号码{extra}）的机会是 {one} / {odds}，每注都一样。",
        "extra": "＋特别号码",
        "extra_hot": "{m} 特别号码近{window}期最常出：{items}",
        "year": "{m} 今年（{year}年）我有{window}期记录：",
        "window": "{m}",
    },
    "en": {
        "tier": "{m} {tier} ({matched} numbers{extra}): {one} in {odds} per entry, the same for every line.",
        "extra": " + the extra",
        "extra_hot": "{m} Most frequent extra numbers in the last {window} draws: {items}",
        "year": "{m} This year ({year}) I have {window} draws:",
        "window": "{m}",
    },
}


def tier_odds(ask: Ask) -> Answer | None:
    """One tier's odds ("中二獎機會幾多"); None when no tier is named."""
    found = TIER_ASK.search(ask.normalised)
    if found is None:
        return None
    tier = TIER_BY_NUMBER[TIER_WORDS[found.group()]]
    texts, facts = TEXTS[ask.wording.language], ask.facts
    text = texts["tier"].format(
        m=ask.mention,
        tier=facts.show(ask.wording.tiers[tier.number]),
        matched=facts.show(tier.matched),
        extra=texts["extra"] if tier.with_extra else "",
        one=facts.show(1),
        odds=facts.money(round(float(tier.odds))),
    )
    return _answer(ask, "odds", [Part(text), Part(ask.wording.honest_short)])


def _window(ask: Ask) -> tuple[DrawHistory, str]:
    history, texts, facts = ask.context.history, TEXTS[ask.wording.language], ask.facts
    if THIS_YEAR.search(ask.normalised):
        year = ask.context.next_draw.date.year
        count = sum(draw.date.year == year for draw in history.draws)
        head = texts["year"].format(m=ask.mention, year=facts.show(year), window=facts.show(count))
        return history.last(count), head
    asked = WINDOW_ASK.search(ask.normalised)
    size = int(next(group for group in asked.groups() if group)) if asked else STATS_WINDOW
    size = max(1, min(size, len(history)))
    return history.last(size), texts["window"].format(m=ask.mention, window=facts.show(size))


def windowed_stats(ask: Ask) -> Answer | None:
    """Hot or cold numbers over the window the comment names (last N draws, this year)."""
    if not len(ask.context.history):
        return None
    window, head = _window(ask)
    facts, wording = ask.facts, ask.wording
    if not len(window):
        return _answer(ask, "stats", [Part(head), Part(wording.no_data)])
    counts = window.hits.sum(axis=0).tolist()
    cold = COLD_ASK.search(ask.normalised) is not None
    order = sorted(range(1, len(counts)), key=lambda n: (counts[n] if cold else -counts[n], n))
    items = wording.list_separator.join(
        wording.count_item.format(number=facts.show(n), count=facts.show(int(counts[n])))
        for n in order[:LIST_LENGTH]
    )
    template = wording.cold_list if cold else wording.hot_list
    listing = template.format(window=facts.show(len(window)), items=items)
    parts = [Part(f"{head} {listing}")] if head == ask.mention else [Part(head), Part(listing)]
    return _answer(ask, "stats", [*parts, *stale_parts(ask), Part(wording.stats_honest)])


def extra_number_stats(ask: Ask) -> Answer | None:
    """How often each extra number came up over the window (the extra is drawn like the others)."""
    if not len(ask.context.history):
        return None
    window, _ = _window(ask)
    facts, wording = ask.facts, ask.wording
    counts = Counter(draw.extra for draw in window.draws)
    top = sorted(counts, key=lambda n: (-counts[n], n))[:LIST_LENGTH]
    items = wording.list_separator.join(
        wording.count_item.format(number=facts.show(n), count=facts.show(counts[n])) for n in top
    )
    text = TEXTS[wording.language]["extra_hot"].format(
        m=ask.mention, window=facts.show(len(window)), items=items
    )
    return _answer(ask, "stats", [Part(text), *stale_parts(ask), Part(wording.stats_honest)])


def stale_parts(ask: Ask) -> list[Part]:
    """The "my latest draw is ..." note when the archive is behind the calendar (else nothing)."""
    if not archive_is_behind(ask.context):
        return []
    return [Part(stale_note(ask.context, ask.wording, ask.facts))]


def _answer(ask: Ask, intent: str, parts: list[Part]) -> Answer:
    return Answer(parts, (), request_json(ask.parameters, intent), frozenset(ask.facts.allowed))


QUESTION_ANSWERS = {"tier_odds": tier_odds, "window": windowed_stats, "extra_number": extra_number_stats}
