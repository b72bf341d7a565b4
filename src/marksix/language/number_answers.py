# ruff: noqa: E501  (reply wording reads best one template per line)
"""Answers about a named number (gap, frequency, hotness), a multiple's chance and fixed prizes.

Every figure comes from the domain, through `Facts.show`:
- a number's counts, gaps and chance band from `domain.statistics`
  (`compute_statistics`, one computation per history and window, cached);
- a multiple's or banker's entries and cost from `domain.tickets.Ticket`,
  its jackpot chance from the single-entry odds in `domain.rules`;
- fixed prizes from `domain.rules.fixed_prizes` (4th to 7th), the shared
  tiers' latest dividends from the archive's prize records.

None of these carries a ticket.
"""

from __future__ import annotations

import re
from fractions import Fraction

from marksix.domain.draws import PICKED, POOL
from marksix.domain.rules import COMBINATIONS, TIER_BY_NUMBER, fixed_prizes, tier_for_match, unit_price
from marksix.domain.statistics import Statistics
from marksix.domain.tickets import MAX_BANKERS, Ticket
from marksix.language.answers import (
    MAX_STATS_NUMBERS,
    STATS_WINDOW,
    Answer,
    Ask,
    closing,
    date_text,
    request_json,
    window_statistics,
)
from marksix.language.fitting import OPTIONAL_MAIN, Part
from marksix.language.questions import TIER_ASK, TIER_WORDS, WINDOW_ASK, stale_parts

#: The multiple used to explain when the comment names no size ("複式會唔會易中啲").
EXAMPLE_MULTIPLE = 7
#: "中三個號", "中4個字加特別號": a tier named by how many numbers it matches.
MATCHED_ASK = re.compile(
    r"中\s*([三四五六3-6])\s*(?:個|个)\s*(?:號|号|字|number)?\s*(?:(?:加|\+|＋|同)\s*(?:特別|特别|extra))?",
    re.IGNORECASE,
)
MATCHED_WORDS = {"三": 3, "四": 4, "五": 5, "六": 6}

TEXTS = {
    "zh-HK": {
        "frequency": "{number}號近{window}期出咗{count}次。隨機嘅正常範圍係{low}至{high}次（理論值{expected}），{verdict}。總共出咗{total}次（{draws}期）。",
        "hot": "{number}號近{window}期出咗{count}次，理論值{expected}次；{verdict}（{low}至{high}次）。",
        "hot_inside_above": "出多咗少少，但仲喺隨機範圍內",
        "hot_inside_below": "出少咗少少，但仲喺隨機範圍內",
        "hot_above": "高過隨機範圍，算係熱，但唔代表下期會出",
        "hot_below": "低過隨機範圍，算係冷，但唔代表快會出",
        "inside": "仲喺隨機範圍內",
        "above": "高過呢個範圍，少見，但唔代表下期會出",
        "below": "低過呢個範圍，少見，但唔代表快會出",
        "gap": "{number}號已經{gap}期冇出，上次係 {last_id}（{date}）。佢最長試過{longest}期冇出；而家有{longer}個號比佢更耐冇出。",
        "gap_zero": "{number}號上期（{last_id}，{date}）啱啱出咗。佢最長試過{longest}期冇出。",
        "never": "{number}號喺我{draws}期紀錄入面未出過。",
        "gap_honest": "耐冇出唔代表快出，每期機會都一樣。",
        "multiple": "{m} {size}個號複式＝{entries}注，每注HK${unit}，即HK${cost}。頭獎機會係{entries} / {combos}（約{odds}分之一），同買{entries}注單式一模一樣：每注機會冇變，只係買多咗注。",
        "banker": "{m} {bankers}膽拖{legs}隻腳＝{entries}注，每注HK${unit}，即HK${cost}。頭獎機會係{entries} / {combos}（約{odds}分之一），同買{entries}注單式一樣：每注機會冇變。",
        "banker_min": "（膽加腳最少要{min}個號，所以用最少嘅計。）",
        "fixed": "{m} {tier}（中{matched}個號{extra}）係固定獎金，每注派 HK${amount}。",
        "shared": "{m} {tier}（中{matched}個號{extra}）冇固定金額，係按嗰期彩池同中獎注數分。",
        "shared_latest": "{draw_id} 期{tier}每注派 HK${amount}。",
        "all_fixed": "{m} 固定獎金（每注）：{items}。頭獎、二獎、三獎冇固定金額，按彩池分。",
        "extra": "＋特別號碼",
    },
    "zh-CN": {
        "frequency": "{number}号近{window}期出现{count}次。随机的正常范围是{low}至{high}次（理论值{expected}），{verdict}。共出现{total}次（{draws}期）。",
        "hot": "{number}号近{window}期出现{count}次，理论值{expected}次；{verdict}（{low}至{high}次）。",
        "hot_inside_above": "多了一点，但仍在随机范围内",
        "hot_inside_below": "少了一点，但仍在随机范围内",
        "hot_above": "高于随机范围，算是热号，但不代表下期会出",
        "hot_below": "低于随机范围，算是冷号，但不代表快会出",
        "inside": "仍在随机范围内",
        "above": "高于这个范围，少见，但不代表下期会出",
        "below": "低于这个范围，少见，但不代表快会出",
        "gap": "{number}号已经{gap}期没出，上次是 {last_id}（{date}）。它最长试过{longest}期没出；现在有{longer}个号码比它更久没出。",
        "gap_zero": "{number}号上期（{last_id}，{date}）刚刚出过。它最长试过{longest}期没出。",
        "never": "{number}号在我{draws}期记录里还没出过。",
        "gap_honest": "久没出不代表快出，每期机会都一样。",
        "multiple": "{m} {size}个号码复式＝{entries}注，每注HK${unit}，即HK${cost}。头奖机会是{entries} / {combos}（约{odds}分之一），和买{entries}注单式完全一样：每注机会没变，只是多买了几注。",
        "banker": "{m} {bankers}胆拖{legs}个号码＝{entries}注，每注HK${unit}，即HK${cost}。头奖机会是{entries} / {combos}（约{odds}分之一），和买{entries}注单式一样：每注机会没变。",
        "banker_min": "（胆码加拖码最少要{min}个号码，所以按最少的算。）",
        "fixed": "{m} {tier}（中{matched}个号码{extra}）是固定奖金，每注 HK${amount}。",
        "shared": "{m} {tier}（中{matched}个号码{extra}）没有固定金额，按那期奖池和中奖注数分。",
        "shared_latest": "{draw_id} 期{tier}每注派 HK${amount}。",
        "all_fixed": "{m} 固定奖金（每注）：{items}。头奖、二奖、三奖没有固定金额，按奖池分。",
        "extra": "＋特别号码",
    },
    "en": {
        "frequency": "{number} came up {count}× in the last {window} draws. Chance alone gives {low}–{high} (expected {expected}): {verdict}. {total}× in all {draws} draws.",
        "hot": "{number}: {count}× in the last {window} draws, expected {expected}; {verdict} ({low}–{high}).",
        "hot_inside_above": "a little above average, still within the random range",
        "hot_inside_below": "a little below average, still within the random range",
        "hot_above": "above the random range, so 'hot', but that says nothing about the next draw",
        "hot_below": "below the random range, so 'cold', but that doesn't make it due",
        "inside": "within the random range",
        "above": "above that range, which is rare and says nothing about the next draw",
        "below": "below that range, which is rare and doesn't make it due",
        "gap": "{number} hasn't come up for {gap} draws; last in {last_id} ({date}). Its longest wait was {longest} draws, and {longer} numbers have waited longer right now.",
        "gap_zero": "{number} came up in the latest draw ({last_id}, {date}). Its longest wait was {longest} draws.",
        "never": "{number} isn't in any of my {draws} draws.",
        "gap_honest": "A long wait doesn't make a number due: every draw is random.",
        "multiple": "{m} A {size}-number multiple is {entries} entries at HK${unit}, HK${cost} in all. Its jackpot chance is {entries} in {combos} (about 1 in {odds}), exactly the same as {entries} single entries: each entry's chance stays the same.",
        "banker": "{m} {bankers} banker(s) with {legs} legs is {entries} entries at HK${unit}, HK${cost} in all. Jackpot chance: {entries} in {combos} (about 1 in {odds}), the same as {entries} single entries.",
        "banker_min": "(Bankers plus legs must be at least {min} numbers, so that is the smallest.)",
        "fixed": "{m} The {tier} ({matched} numbers{extra}) is fixed: HK${amount} per entry.",
        "shared": "{m} The {tier} ({matched} numbers{extra}) has no fixed amount: that draw's pool is shared among the winning entries.",
        "shared_latest": "In {draw_id} it paid HK${amount} per entry.",
        "all_fixed": "{m} Fixed prizes per entry: {items}. The 1st, 2nd and 3rd prizes share a pool instead.",
        "extra": " + the extra",
    },
}


def _window_size(ask: Ask) -> int:
    asked = WINDOW_ASK.search(ask.normalised)
    size = int(next(group for group in asked.groups() if group)) if asked else STATS_WINDOW
    return max(1, min(size, len(ask.context.history)))


def _verdict(texts: dict[str, str], count: int, band: tuple[int, int], prefix: str = "") -> str:
    low, high = band
    if count > high:
        return texts[prefix + "above"]
    if count < low:
        return texts[prefix + "below"]
    return texts["inside"]


def number_question(ask: Ask, topic: str) -> Answer | None:
    """A named number's gap, frequency or hotness against chance; None when no number or no draws."""
    history, facts, wording = ask.context.history, ask.facts, ask.wording
    numbers = ask.parameters.balls[:MAX_STATS_NUMBERS]
    if not numbers or not len(history):
        return None
    texts = TEXTS[wording.language]
    size = _window_size(ask)
    window = window_statistics(history, size)
    whole = window_statistics(history, None)
    lines = [_number_line(topic, number, window, whole, ask) for number in numbers]
    # The mention leads the first line rather than standing alone.
    parts = [
        Part(f"{ask.mention} {lines[0]}".strip()),
        *(Part(line, drop_rank=OPTIONAL_MAIN) for line in lines[1:]),
    ]
    parts += stale_parts(ask)
    honest = texts["gap_honest"] if topic == "number_gap" else wording.stats_honest
    parts.append(Part(honest, short=wording.honest_short))
    return Answer(parts, (), request_json(ask.parameters, "stats"), frozenset(facts.allowed))


def _number_line(topic: str, number: int, window: Statistics, whole: Statistics, ask: Ask) -> str:
    facts, wording = ask.facts, ask.wording
    texts = TEXTS[wording.language]
    history = ask.context.history
    if whole.frequency[number] == 0:
        return texts["never"].format(number=facts.show(number), draws=facts.money(whole.draws))
    if topic == "number_gap":
        gap = int(whole.since_last_seen[number])
        last = history[len(history) - 1 - gap]
        fields = {
            "number": facts.show(number),
            "gap": facts.show(gap),
            "last_id": facts.show(last.draw_id),
            "date": date_text(last.date, wording, facts),
            "longest": facts.show(int(max(whole.longest_gap[number], gap))),
            "longer": facts.show(int((whole.since_last_seen[1:] > gap).sum())),
        }
        return texts["gap_zero" if gap == 0 else "gap"].format(**fields)
    count = int(window.frequency[number])
    band = window.band.one_number
    expected = facts.show(f"{window.expected_frequency:.1f}")
    fields = {
        "number": facts.show(number),
        "window": facts.show(window.draws),
        "count": facts.show(count),
        "low": facts.show(band[0]),
        "high": facts.show(band[1]),
        "expected": expected,
    }
    if topic == "number_hot":
        verdict = _verdict(texts, count, band, "hot_")
        if verdict == texts["inside"]:
            above = count >= window.expected_frequency
            verdict = texts["hot_inside_above" if above else "hot_inside_below"]
        return texts["hot"].format(**fields, verdict=verdict)
    return texts["frequency"].format(
        **fields,
        verdict=_verdict(texts, count, band),
        total=facts.show(int(whole.frequency[number])),
        draws=facts.money(whole.draws),
    )


def multiple_odds(ask: Ask) -> Answer:
    """What a multiple or banker entry does to the chance: more entries, each at the same odds."""
    parameters, facts = ask.parameters, ask.facts
    texts = TEXTS[ask.wording.language]
    bankers = len(parameters.bankers) if len(parameters.bankers) <= MAX_BANKERS else 0
    asked = min(parameters.size or EXAMPLE_MULTIPLE, POOL)
    # Bankers and legs are at least seven numbers; a multiple at least six.
    size = max(asked, PICKED + 1 if bankers else PICKED)
    legs = size - bankers
    # The entry count and cost come from the ticket rules themselves.
    ticket = Ticket.parse(range(bankers + 1, size + 1), range(1, bankers + 1))
    unit = unit_price(ask.context.next_draw.date)
    chance = Fraction(ticket.entry_count, COMBINATIONS)
    fields = {
        "m": ask.mention,
        "size": facts.show(size),
        "bankers": facts.show(bankers),
        "legs": facts.show(legs),
        "entries": facts.show(ticket.entry_count),
        "unit": facts.show(unit),
        "cost": facts.money(ticket.cost(unit)),
        "combos": facts.money(COMBINATIONS),
        "odds": facts.money(round(1 / chance)),
    }
    text = texts["banker" if bankers else "multiple"].format(**fields)
    parts = [Part(text)]
    if bankers and size != asked:
        parts.append(Part(texts["banker_min"].format(min=facts.show(size))))
    parts.append(closing(ask, "odds"))
    return Answer(parts, (), request_json(parameters, "odds"), frozenset(facts.allowed))


def _asked_tier(normalised: str) -> int | None:
    named = TIER_ASK.search(normalised)
    if named is not None:
        return TIER_WORDS[named.group()]
    matched = MATCHED_ASK.search(normalised)
    if matched is None:
        return None
    value = matched.group(1)
    count = int(value) if value.isdigit() else MATCHED_WORDS[value]
    with_extra = bool(re.search(r"特別|特别|extra", matched.group(0), re.IGNORECASE))
    return tier_for_match(count, with_extra)


def prize_amount(ask: Ask) -> Answer:
    """A tier's prize: fixed for the 4th to 7th, the latest dividend for the shared tiers."""
    wording, facts, context = ask.wording, ask.facts, ask.context
    texts = TEXTS[wording.language]
    fixed = fixed_prizes(context.next_draw.date)
    tier_number = _asked_tier(ask.normalised)
    parts: list[Part]
    if tier_number is None:
        items = wording.list_separator.join(
            f"{facts.show(wording.tiers[tier])} HK${facts.money(amount)}"
            for tier, amount in sorted(fixed.items())
        )
        parts = [Part(texts["all_fixed"].format(m=ask.mention, items=items))]
    else:
        tier = TIER_BY_NUMBER[tier_number]
        fields = {
            "m": ask.mention,
            "tier": facts.show(wording.tiers[tier.number]),
            "matched": facts.show(tier.matched),
            "extra": texts["extra"] if tier.with_extra else "",
        }
        if tier.number in fixed:
            parts = [Part(texts["fixed"].format(**fields, amount=facts.money(fixed[tier.number])))]
        else:
            parts = [Part(texts["shared"].format(**fields))]
            latest = _latest_dividend(ask, tier.number)
            if latest is not None:
                draw_id, amount = latest
                text = texts["shared_latest"].format(
                    draw_id=facts.show(draw_id), tier=fields["tier"], amount=facts.money(amount)
                )
                parts.append(Part(text, drop_rank=OPTIONAL_MAIN))
    parts.append(closing(ask, "odds"))
    return Answer(parts, (), request_json(ask.parameters, "help"), frozenset(facts.allowed))


def _latest_dividend(ask: Ask, tier: int) -> tuple[str, int] | None:
    history = ask.context.history
    if not len(history):
        return None
    prizes = ask.context.prizes.get(history.latest.draw_id)
    amount = prizes.dividend(tier) if prizes is not None else None
    return (history.latest.draw_id, amount) if amount is not None else None
