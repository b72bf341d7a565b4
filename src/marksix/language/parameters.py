"""The parameters of a comment: numbers to include or leave out, size, bankers, lines, strategy.

A number's role comes from the words right before it ("唔要 4 同 13",
"with 7 and 8") or right after it ("8做膽", "3組", "7個號複式"). Phrases
with their own numbers (sizes, line counts, dates, times, money, draw ids)
are read first and blanked out, so what is left are balls. Numbers that
cannot be Mark Six balls (0, 50 and up) are kept as `invalid` so the reply
can say they were left out and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from marksix.domain.draws import POOL
from marksix.language.numerals import CHINESE_NUMERAL_CHARS, ENGLISH_NUMBERS, chinese_to_int, number_tokens

NUM = f"(\\d{{1,3}}|[{CHINESE_NUMERAL_CHARS}]{{1,4}})"
#: A count written as a word ("two lines", "eight numbers"), for sizes and line counts only.
COUNT_WORDS = "|".join(word for word in ENGLISH_NUMBERS if len(word) > 2)
WORD_NUM = rf"\b({COUNT_WORDS})\b"
LIST_GLUE = r"[\s同和及跟、,，&/#:：號号]|同埋|and|or|\+"

LINE_WORDS = r"\s*(?:組|组|注|條|条|份|set|sets|lines?|tickets?|combos?|combinations?|groups?)(?![a-z])"
#: "3組", "two lines", "1 random line", "x3".
LINE_ADJECTIVE = r"(?:\s*(?:random|hot|cold|balanced|lucky|more|extra|different))?"
LINES = re.compile(f"(?:{NUM}|{WORD_NUM}){LINE_ADJECTIVE}{LINE_WORDS}|\\bx\\s*(\\d)\\b")
SIZE_PATTERNS = (
    re.compile(NUM + r"\s*(?:個|个)\s*(?:號碼|号码|號|号|字|數字|数字|碼|码|波|number)"),
    re.compile(NUM + r"\s*粒"),
    re.compile(NUM + r"\s*(?:碼|码)\s*(?:複式|复式)"),
    re.compile(NUM + r"\s*(?:號|号)?\s*(?:複式|复式)"),
    re.compile(r"(?:複式|复式)\s*" + NUM + r"(?!\s*(?:號|号)\b)"),
    re.compile(
        rf"(\d{{1,2}}|\b(?:{COUNT_WORDS}))[\s-]*(?:numbers?|nums?|balls?)"
        r"(?:\s+(?:multiple|system|ticket|entry|combo))?\b"
    ),
    re.compile(r"(?:multiple|system) (?:of |with )?(\d{1,2})\b"),
)
MULTIPLE_WORD = re.compile(r"複式|复式|multiple entry|multiple ticket|\bmultiple\b")
BANKER_AFTER = re.compile(NUM + r"\s*(?:號|号)?\s*(?:做|當|当|為|为|作|係|系)?\s*(?:膽|胆)(?!拖)")
BANKER_AS = re.compile(r"(\d{1,2})\s*as (?:the |my |a )?bankers?")
BANKER_BEFORE = re.compile(
    r"(?:膽|胆|bankers?)\s*(?:係|系|is|are|用|:|：|=)?\s*((?:" + NUM + r"(?:" + LIST_GLUE + r")*)+)"
)
DRAW_ID = re.compile(r"\b(\d{2})/(\d{3})\b")
TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\d{1,2}\s*(?:點|点|pm\b|am\b)")
MONEY = re.compile(
    r"(?:hk)?\$\s*\d[\d,.]*\s*[km]?|\d[\d,.]*\s*(?:蚊|元|块|塊|萬|万|億|亿|千|百萬|k\b|m\b|%|million|mil\b|bucks)"
)
NOT_A_BALL_AFTER = re.compile(
    r"\s*(?:年|歲|岁|次|期|點|点|分鐘|分钟|秒|個月|个月|日|合彩|周年|週年|以上|以下|以內|以内)|[a-z]"
    r"|\s+(?:hot|cold|random|balanced|more|extra)\b"
)
#: Words with a number in them that is never a ball.
NUMBER_WORDS = re.compile(
    r"mark\s*(?:6|six)|6\s*合彩|六合彩|有冇|有没有|18\s*\+|\b24/7\b|\d+\s*(?:點|点)半|\b4\s*(?:me|u|you)\b"
    # "大過20", "above 40": a bound the engine cannot honour, not a ball to include
    r"|(?:大過|細過|大於|小於|大于|小于|高於|低於|多過|少過"
    r"|(?:greater|bigger|smaller|less|more) than|above|below)\s*\d+"
)
#: "1至9", "10-19", "1 to 9": every ball in the range (a span of at most 24).
RANGE = re.compile(NUM + r"\s*(?:至|到|-|~|～|to)\s*" + NUM + r"(?!\s*(?:組|组|注|set|line))")
MAX_RANGE = 24
#: "8膽拖6": banker 8 with six legs.
BANKER_LEGS = re.compile(
    NUM + r"\s*(?:號|号)?\s*(?:膽|胆)\s*拖\s*" + NUM + r"(?:\s*(?:個|个|隻|只))?(?:\s*(?:號|号|腳|脚))?"
)
#: "配 6 隻腳", "with 6 legs": how many numbers go with the bankers.
LEG_COUNT = re.compile(NUM + r"\s*(?:隻|只|個|个|條|条)?\s*(?:腳|脚)|(\d{1,2})\s*legs?\b")
MAX_BIRTHDAYS = 3
BIRTHDAY_WORD = re.compile(r"生日|生辰|出世|birthday|\bbday|b-day|\bborn\b|dob")
CHINESE_DATE = re.compile(NUM + r"\s*月\s*" + NUM + r"\s*(?:日|號|号)?")
SLASH_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
MONTHS = {
    name: index + 1
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
MONTH_NAME = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
ENGLISH_DATE = re.compile(
    r"(?:(\d{1,2})(?:st|nd|rd|th)?(?: of)?\s+"
    + MONTH_NAME
    + r"\b|\b"
    + MONTH_NAME
    + r"\s+(\d{1,2})(?:st|nd|rd|th)?)"
)
STRATEGY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "unpopular",
        re.compile(
            r"少人買|少人买|冇人買|没人买|唔多人買|少人揀|冷門組合|冷门组合"
            r"|unpopular|less popular|nobody (?:picks|buys)"
        ),
    ),
    (
        "overdue",
        re.compile(
            r"好耐冇出|好耐無出|好耐冇開|遺漏|遗漏|久未出|很久没出|很久没开|耐冇出|overdue|\bdue\b"
            r"|(?:haven'?t|hasn'?t|not) (?:come out|came out|appeared|been drawn|shown up|come up)"
        ),
    ),
    ("hot", re.compile(r"熱門|热门|熱號|热号|\bhot\b|常出|多出|旺號|旺号|旺嘅|旺啲")),
    ("cold", re.compile(r"冷門|冷门|冷號|冷号|\bcold\b|少出")),
    ("balanced", re.compile(r"平均|均衡|平衡|balanced?|分散|\bspread\b")),
    ("random", re.compile(r"隨機|随机|\brandom\b|是但|求其|隨便|随便")),
)
EXCLUDE_TRIGGERS = (
    "avoid anything with",
    "anything with",
    "唔好俾",
    "唔好再俾",
    "唔好再畀",
    "不要再给",
    "don't give me",
    "唔好畀",
    "不要给",
    "anything but",
    "but not",
    "不要带",
    "唔要帶",
    "唔好帶",
    "唔好有",
    "唔要有",
    "不要有",
    "唔想要",
    "不想要",
    "唔要",
    "不要",
    "唔好",
    "不含",
    "唔含",
    "冇",
    "没有",
    "避開",
    "避开",
    "除咗",
    "除了",
    "排除",
    "走",
    "戒",
    "no",
    "not",
    "without",
    "exclude",
    "excluding",
    "except",
    "avoid",
    "skip",
    "minus",
    "never",
    "don't want",
    "dont want",
    "hate",
)
INCLUDE_TRIGGERS = (
    "一定要有",
    "要有",
    "加上",
    "加入",
    "要",
    "加埋",
    "加",
    "包括",
    "包含",
    "含",
    "有",
    "with",
    "include",
    "including",
    "must have",
    "plus",
    "add",
    "want",
    "need",
    "揀",
    "选",
    "選",
    "鍾意",
    "钟意",
    "喜歡",
    "喜欢",
    "幸運號碼",
    "幸运号码",
    "幸運數字",
    "幸运数字",
    "lucky number",
    "lucky numbers",
    "lucky no",
    "favourite number",
    "favorite number",
    "fav number",
)


def _trigger_pattern(words: tuple[str, ...]) -> str:
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        alternatives.append(rf"\b{escaped}\b" if word.isascii() else escaped)
    return "|".join(alternatives)


ROLE_BEFORE = re.compile(
    rf"(?:(?P<exclude>{_trigger_pattern(EXCLUDE_TRIGGERS)})|(?P<include>{_trigger_pattern(INCLUDE_TRIGGERS)}))"
    rf"(?:\s*(?:is|are|係|系|是|:|：|=|\.|number|numbers|號碼|号码|號|号|#))*(?:{LIST_GLUE})*$"
)
#: "4號唔要": an exclusion written after the number (but "8號 唔要4" excludes 4).
EXCLUDE_AFTER = re.compile(
    r"\s*(?:號|号)?\s*(?:都|也)?\s*(?:唔要|不要|唔好)(?!\s*(?:\d|[" + CHINESE_NUMERAL_CHARS + "]))"
)
COUNT_AFTER = re.compile(r"\s*(?:個|个|組|组|注|條|条|次|期|啲|些|粒|隻|只)")
GLUE_ONLY = re.compile(rf"^(?:{LIST_GLUE})*$")


@dataclass(frozen=True, slots=True)
class Parameters:
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    size: int | None = None
    bankers: tuple[int, ...] = ()
    lines: int | None = None
    strategy: str | None = None
    #: Balls named with no role ("8 18 28"): included in a pick, the ticket in a check.
    mentioned: tuple[int, ...] = ()
    #: Numbers asked for that cannot be Mark Six balls, in the order written.
    invalid: tuple[int, ...] = ()
    birthdays: tuple[tuple[int, int], ...] = ()  # (day, month) each
    draw_id: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def balls(self) -> tuple[int, ...]:
        """Every valid ball the comment names, whatever its role."""
        return tuple(dict.fromkeys((*self.bankers, *self.include, *self.mentioned)))


def _value(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in ENGLISH_NUMBERS:
        return ENGLISH_NUMBERS[text]
    return chinese_to_int(text)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _blank_all(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda match: " " * len(match.group()), text)


def _unique(values: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(values))


def _birthdays(text: str) -> tuple[tuple[tuple[int, int], ...], str]:
    """Every (day, month) the comment gives as a birthday; dates are blanked either way."""
    found: list[tuple[int, int]] = []
    is_birthday = BIRTHDAY_WORD.search(text) is not None

    def keep(day: int, month: int) -> None:
        if is_birthday and 1 <= day <= 31 and 1 <= month <= 12 and len(found) < MAX_BIRTHDAYS:
            found.append((day, month))

    for match in CHINESE_DATE.finditer(text):
        month, day = _value(match.group(1)), _value(match.group(2))
        if month is not None and day is not None:
            keep(day, month)
        text = _blank(text, match.start(), match.end())
    for english in ENGLISH_DATE.finditer(text):
        day_text = english.group(1) or english.group(4)
        keep(int(day_text), MONTHS[english.group(2) or english.group(3)])
        text = _blank(text, english.start(), english.end())
    if is_birthday:
        for slash in SLASH_DATE.finditer(text):
            first, second = int(slash.group(1)), int(slash.group(2))
            # Hong Kong writes day/month; flip only when that cannot be a date.
            day, month = (first, second) if second <= 12 else (second, first)
            keep(day, month)
            text = _blank(text, slash.start(), slash.end())
    return tuple(found), text


def _ranges(text: str) -> tuple[str, dict[int, list[int]]]:
    """Ranges become their first number, remembered with the whole span."""
    spans: dict[int, list[int]] = {}
    for match in RANGE.finditer(text):
        low, high = _value(match.group(1)), _value(match.group(2))
        if low is None or high is None or not 1 <= low < high <= POOL or high - low > MAX_RANGE:
            continue
        first = match.group(1)
        text = (
            text[: match.start()]
            + first
            + " " * (match.end() - match.start() - len(first))
            + text[match.end() :]
        )
        spans[match.start()] = list(range(low, high + 1))
    return text, spans


def parse_parameters(normalised: str) -> Parameters:
    """Read every parameter from an already-normalised comment."""
    text = _blank_all(normalised, NUMBER_WORDS)
    draw_match = DRAW_ID.search(text)
    draw_id = f"{draw_match.group(1)}/{draw_match.group(2)}" if draw_match else None
    text = _blank_all(text, DRAW_ID)
    birthdays, text = _birthdays(text)
    text = _blank_all(text, MONEY)
    text = _blank_all(text, TIME)

    lines: int | None = None
    for match in LINES.finditer(text):
        value = _value(match.group(1) or match.group(2) or match.group(3))
        if value is not None and lines is None:
            lines = value
        text = _blank(text, match.start(), match.end())

    size: int | None = None
    for pattern in SIZE_PATTERNS:
        for match in pattern.finditer(text):
            value = _value(match.group(1))
            if value is not None and size is None:
                size = value
            text = _blank(text, match.start(), match.end())
    if size is None and MULTIPLE_WORD.search(text):
        size = 7

    bankers: list[int] = []
    invalid: list[int] = []
    for match in BANKER_LEGS.finditer(text):
        banker, legs = _value(match.group(1)), _value(match.group(2))
        if banker is not None and legs is not None:
            (bankers if 1 <= banker <= POOL else invalid).append(banker)
            if size is None and 1 <= legs <= POOL:
                size = 1 + legs
        text = _blank(text, match.start(), match.end())

    def take_banker(raw: str) -> None:
        value = _value(raw)
        if value is None:
            return
        (bankers if 1 <= value <= POOL else invalid).append(value)

    for pattern in (BANKER_AFTER, BANKER_AS):
        for match in pattern.finditer(text):
            take_banker(match.group(1))
            text = _blank(text, match.start(), match.end())
    leg_count: int | None = None
    for match in LEG_COUNT.finditer(text):
        leg_count = _value(match.group(1) or match.group(2))
        text = _blank(text, match.start(), match.end())
    for match in BANKER_BEFORE.finditer(text):
        for token in number_tokens(match.group(1)):
            take_banker(token.text)
        text = _blank(text, match.start(), match.end())
    if size is None and leg_count and bankers and len(bankers) + leg_count <= POOL:
        size = len(bankers) + leg_count

    strategy = next((name for name, pattern in STRATEGY_WORDS if pattern.search(normalised)), None)

    include: list[int] = []
    exclude: list[int] = []
    mentioned: list[int] = []
    text, ranges = _ranges(text)
    bare_run: list[int] = []  # bare numbers joined by glue, for a trailing 唔要
    previous_end = 0
    previous_role: str | None = None
    for token in number_tokens(text):
        gap = text[previous_end : token.start]
        role_match = ROLE_BEFORE.search(gap)
        if role_match:
            role: str | None = "exclude" if role_match.group("exclude") else "include"
        elif previous_role and GLUE_ONLY.match(gap):
            role = previous_role
        else:
            role = None
        after = text[token.end : token.end + 6]
        if role is not None or not GLUE_ONLY.match(gap):
            bare_run.clear()
        if role is None and EXCLUDE_AFTER.match(text, token.end):
            role = "exclude"
            # "13 同 4 都唔要": the whole list before the 唔要 is left out.
            for earlier in bare_run:
                if earlier in mentioned:
                    mentioned.remove(earlier)
                    exclude.append(earlier)
            bare_run.clear()
        previous_end, previous_role = token.end, role
        value = token.value
        if value is None:  # a decimal is never a ball
            previous_role = None
            continue
        if token.chinese and COUNT_AFTER.match(after):
            continue  # 再加一個, 兩啲: a count of things, not a ball
        if role is None:
            if token.chinese and not re.match(r"\s*(?:號|号)", after):
                continue  # 六合彩, 二獎, 一定: words, not balls
            if NOT_A_BALL_AFTER.match(after) or len(token.text) > 2:
                continue
        if not 1 <= value <= POOL:
            invalid.append(value)
            continue
        values = ranges.get(token.start, [value])
        {"include": include, "exclude": exclude, None: mentioned}[role].extend(values)
        if role is None:
            bare_run.extend(values)

    for birthday in birthdays:
        include.extend(part for part in birthday if 1 <= part <= POOL)
    return Parameters(
        include=_unique(include),
        exclude=_unique(exclude),
        size=size,
        bankers=_unique(bankers),
        lines=lines,
        strategy=strategy,
        mentioned=_unique(mentioned),
        invalid=_unique(invalid),
        birthdays=birthdays,
        draw_id=draw_id,
    )
