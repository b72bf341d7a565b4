"""Constraints people write on a pick, and the grammar that must not turn words into balls.

- 大/細 (25-49 and 1-24), 單/雙, a ball colour, a range (20至30之間) and a last
  digit (尾數8) narrow the pool; the pick excludes the rest, or the reply says
  plainly which constraint it cannot honour.
- "8做膽拖5隻" and "8同18做膽" are rewritten as "膽 8 18 配 5 隻腳", the form
  the parameter reader knows, so a leg count is never read as a ball.
- "+1" and ages ("45歲", "I'm 40") are not balls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from marksix.domain.colours import colour_of
from marksix.domain.draws import POOL
from marksix.language.numerals import chinese_to_int
from marksix.language.parameters import Parameters

PLUS_ONE = re.compile(r"(?<![\d\w])\+\s*1(?!\d)")
AGE = re.compile(
    r"\d{1,3}\s*(?:歲|岁|yo\b|y/o|years? old)|(?:i'?m|i am)\s+\d{1,3}(?!\s*(?:號|号|\d))", re.IGNORECASE
)
BANKERS = re.compile(
    r"(?:膽|胆)\s*[:：]?\s*((?:\d{1,2}\s*(?:同|和|、|,|，|/|and|\s)\s*)*\d{1,2})\s*[,，]?\s*拖\s*(\d{1,2}|[一二三四五六七八九十]{1,2})(?!\s*(?:組|组|注|set))\s*(?:隻|只|個|个)?(?:腳|脚)?"
    r"|((?:\d{1,2}\s*(?:同|和|、|,|，|/|and)\s*)*\d{1,2})\s*(?:做|當|当|作)\s*(?:膽|胆)\s*[,，]?\s*(?:拖\s*(\d{1,2}|[一二三四五六七八九十]{1,2})(?!\s*(?:組|组|注|set))\s*(?:隻|只|個|个)?(?:腳|脚)?)?"
)
RANGE = re.compile(
    r"(\d{1,2})\s*(?:至|到|-|~|to|and)\s*(\d{1,2})\s*(?:之間|之间|以內|以内|範圍|范围|嘅號|的号|號碼|号码)"
    r"|between\s+(\d{1,2})\s+and\s+(\d{1,2})",
    re.IGNORECASE,
)
LAST_DIGIT = re.compile(
    r"尾數\s*(?:係|是|為|为)?\s*(\d)|尾数\s*(?:是|为)?\s*(\d)|ending (?:in|with) (\d)\b", re.IGNORECASE
)
ODD = re.compile(r"單數|单数|單號|单号|\bodd\b", re.IGNORECASE)
EVEN = re.compile(r"雙數|双数|雙號|双号|\beven\b", re.IGNORECASE)
BIG = re.compile(r"大數|大数|大號|大号|\bbig\b|\bhigh numbers\b", re.IGNORECASE)
SMALL = re.compile(r"細數|小數|小数|細號|小号|\bsmall\b|\blow numbers\b", re.IGNORECASE)
MIXED = re.compile(r"(?:細|小|大|單|单|雙|双)(?:數|数)?\s*(?:[一二三四五]|\d)\s*(?:個|个)")
COLOURS = {
    "red": re.compile(r"紅|红|\bred\b", re.IGNORECASE),
    "blue": re.compile(r"藍|蓝|\bblue\b", re.IGNORECASE),
    "green": re.compile(r"綠|绿|\bgreen\b", re.IGNORECASE),
}
OPPOSITE = {
    "單數": "雙數", "雙數": "單數", "单数": "双数", "双数": "单数", "odd": "even", "even": "odd",
    "大數": "細數", "細數": "大數", "大数": "小数", "小数": "大数", "big": "small", "small": "big",
}  # fmt: skip
NEGATED = re.compile(r"(?:唔要|不要|冇|無|no|without|not)\s*(" + "|".join(OPPOSITE) + ")", re.IGNORECASE)
BALL_WORDS = re.compile(r"波|球|ball|號|号|number|數|数")


#: What the reply says for a constraint it could not honour.
CANNOT_HONOUR = {
    "zh-HK": "（{names}呢個要求湊唔夠號碼，所以冇跟。）",
    "zh-CN": "（{names}这个要求凑不够号码，所以没有照做。）",
    "en": "(I couldn't honour {names}: not enough numbers fit.)",
}
CONSTRAINT_NAMES = {
    "zh-HK": {
        "odd": "單數",
        "even": "雙數",
        "big": "大數",
        "small": "細數",
        "colour": "波色",
        "range": "範圍",
        "last_digit": "尾數",
        "mixed": "大細/單雙各幾多個",
    },
    "zh-CN": {
        "odd": "单数",
        "even": "双数",
        "big": "大数",
        "small": "小数",
        "colour": "波色",
        "range": "范围",
        "last_digit": "尾数",
        "mixed": "大小/单双各几个",
    },
    "en": {
        "odd": "odd only",
        "even": "even only",
        "big": "big only",
        "small": "small only",
        "colour": "the colour",
        "range": "the range",
        "last_digit": "the last digit",
        "mixed": "a mix by count",
    },
}


@dataclass(frozen=True, slots=True)
class Constraints:
    """Each whole-ticket filter a comment names."""

    #: name -> the balls it allows, in the order written.
    rules: tuple[tuple[str, frozenset[int]], ...] = ()
    #: Ones that cannot be honoured as a whole-ticket filter ("細數三個大數三個").
    mixed: bool = False


def rewrite_grammar(normalised: str) -> str:
    """Banker grammar, "+1" and ages in a form the parameter reader gets right."""
    text = PLUS_ONE.sub(" ", normalised)
    text = AGE.sub(" ", text)

    def banker(match: re.Match[str]) -> str:
        numbers = match.group(1) or match.group(3)
        legs = match.group(2) or match.group(4)
        bankers = " ".join(re.findall(r"\d{1,2}", numbers))
        count = legs if legs is None or legs.isdigit() else chinese_to_int(legs)
        return f" 膽 {bankers} 配 {count} 隻腳 " if count else f" 膽 {bankers} "

    return BANKERS.sub(banker, text)


def read_constraints(normalised: str) -> Constraints:
    rules: list[tuple[str, frozenset[int]]] = []
    pool = range(1, POOL + 1)
    # "唔要雙數", "no odd numbers": a refused kind is a wish for the other one.
    normalised = NEGATED.sub(lambda match: OPPOSITE[match.group(1)], normalised)
    if ODD.search(normalised) and not EVEN.search(normalised):
        rules.append(("odd", frozenset(n for n in pool if n % 2)))
    elif EVEN.search(normalised) and not ODD.search(normalised):
        rules.append(("even", frozenset(n for n in pool if not n % 2)))
    if BIG.search(normalised) and not SMALL.search(normalised):
        rules.append(("big", frozenset(range(25, POOL + 1))))
    elif SMALL.search(normalised) and not BIG.search(normalised):
        rules.append(("small", frozenset(range(1, 25))))
    named = [colour for colour, pattern in COLOURS.items() if pattern.search(normalised)]
    if named and BALL_WORDS.search(normalised):
        rules.append(("colour", frozenset(n for n in pool if colour_of(n) in named)))
    found = RANGE.search(normalised)
    if found:
        low, high = sorted(int(group) for group in found.groups() if group)
        rules.append(("range", frozenset(range(max(low, 1), min(high, POOL) + 1))))
    digit = LAST_DIGIT.search(normalised)
    if digit:
        last = int(next(group for group in digit.groups() if group))
        rules.append(("last_digit", frozenset(n for n in pool if n % 10 == last)))
    return Constraints(tuple(rules), mixed=MIXED.search(normalised) is not None)


def range_numbers(normalised: str) -> set[int]:
    """The bounds of a written range, which are not balls to include."""
    found = RANGE.search(normalised)
    if not found:
        return set()
    low, high = sorted(int(group) for group in found.groups() if group)
    return set(range(low, high + 1))


def apply_constraints(
    parameters: Parameters, constraints: Constraints, normalised: str
) -> tuple[Parameters, list[str]]:
    """The parameters with the pool narrowed, and the constraints that could not be honoured."""
    bounds = range_numbers(normalised)
    if bounds:
        parameters = replace(
            parameters,
            include=tuple(n for n in parameters.include if n not in bounds),
            mentioned=tuple(n for n in parameters.mentioned if n not in bounds),
        )
    if not constraints.rules:
        return parameters, ["mixed"] if constraints.mixed else []
    size = parameters.size or 6
    allowed = set(range(1, POOL + 1)) - set(parameters.exclude)
    dropped: list[str] = []
    for name, balls in constraints.rules:
        narrowed = allowed & balls
        if len(narrowed) >= size and set(parameters.include) | set(parameters.bankers) <= narrowed:
            allowed = narrowed
        else:
            dropped.append(name)
    if constraints.mixed:
        dropped.append("mixed")
    exclude = tuple(sorted(set(range(1, POOL + 1)) - allowed))
    return replace(parameters, exclude=exclude), dropped
