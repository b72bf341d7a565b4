# ruff: noqa: E501  (reply wording reads best one template per line)
"""Where today stands in the draw calendar, and the answers that depend on it.

The caller's clock arrives as `ReplyContext.now`; nothing here reads a clock.
Today's draw is the regular schedule's (domain/calendar.py) unless HKJC's
announced next draw (`context.next_draw`) says otherwise, and a draw is
"in" once the archive holds a result dated today.

Between sales close (21:15) and the result, a pick is for the next draw:
`context.next_draw` is then the first draw whose sales are open, the same
draw `autopilot.ledger.draw_date_for` files the line under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marksix.domain.calendar import HONG_KONG, NextDraw, next_scheduled_draw
from marksix.domain.draws import Draw
from marksix.domain.rules import COMBINATIONS, MINIMUM_FIRST_DIVISION_FUND
from marksix.language.answers import Answer, Ask, closing, date_text, drawn_line, request_json
from marksix.language.fitting import OPTIONAL_MAIN, Part
from marksix.language.freshness import archive_is_behind
from marksix.language.model import ReplyContext

OPEN, CLOSED, DRAWN, NO_DRAW = "open", "closed", "drawn", "no_draw"

TEXTS = {
    "zh-HK": {
        "closed_pick": "⏰ 今晚嗰期{close}已經截止，以下係下期嘅號碼。",
        "closed_note": "⏰ 今晚嗰期{close}已經截止，結果仲未出。",
        "open": "{m} 今晚有攪珠 🎱 {close}截止售票，{time}攪珠。",
        "closed": "{m} 今晚（{today}）嗰期{close}已經截止售票，{time}攪珠，結果仲未入到我手。下期係{date}（{weekday}）。",
        "drawn": "{m} 今晚（{today}）已經攪咗珠，{draw_id} 開出：",
        "drawn_next": "下期係{date}（{weekday}）。",
        "no_draw": "{m} 今日（{today}）冇攪珠。下期係{date}（{weekday}），{close}截止，{time}攪珠。",
        "jackpot": "{m} 下期（{date}，{weekday}）：",
        "jackpot_none": "{m} 下期（{date}）嘅頭獎基金馬會未公佈，我手上未有數字。頭獎基金最少都有 HK${minimum}。",
        "estimate_none": "預計頭獎基金未公佈，最少都有 HK${minimum}。",
        "rolled": "上期 {draw_id} 頭獎冇人中，獎金會撥入下期。",
        "jackpot_odds": "每注中頭獎嘅機會都係{odds}分之一。",
    },
    "zh-CN": {
        "closed_pick": "⏰ 今晚那期{close}已经截止，以下是下期的号码。",
        "closed_note": "⏰ 今晚那期{close}已经截止，结果还没出来。",
        "open": "{m} 今晚有开奖 🎱 {close}截止投注，{time}开奖。",
        "closed": "{m} 今晚（{today}）那期{close}已经截止投注，{time}开奖，结果我这里还没有。下期是{date}（{weekday}）。",
        "drawn": "{m} 今晚（{today}）已经开奖，{draw_id} 开出：",
        "drawn_next": "下期是{date}（{weekday}）。",
        "no_draw": "{m} 今天（{today}）没有开奖。下期是{date}（{weekday}），{close}截止，{time}开奖。",
        "jackpot": "{m} 下期（{date}，{weekday}）：",
        "jackpot_none": "{m} 下期（{date}）的头奖基金马会还没公布，我这里还没有数字。头奖基金最少有 HK${minimum}。",
        "estimate_none": "预计头奖基金还没公布，最少有 HK${minimum}。",
        "rolled": "上期 {draw_id} 头奖无人中，奖金会拨入下期。",
        "jackpot_odds": "每注中头奖的机会都是{odds}分之一。",
    },
    "en": {
        "closed_pick": "⏰ Tonight's draw closed at {close}, so these are for the next one.",
        "closed_note": "⏰ Tonight's draw closed at {close}; its result isn't in yet.",
        "open": "{m} Yes, there's a draw tonight 🎱 Sales close at {close}, balls drawn at {time} HK time.",
        "closed": "{m} Tonight's draw ({today}) closed at {close} and is drawn at {time}; the result isn't in my data yet. The next one is {weekday} {date}.",
        "drawn": "{m} Tonight's draw ({today}) is done. {draw_id} came out as:",
        "drawn_next": "The next one is {weekday} {date}.",
        "no_draw": "{m} No draw today ({today}). The next one is {weekday} {date}: sales close {close}, draw at {time} HK time.",
        "jackpot": "{m} The next draw ({weekday} {date}):",
        "jackpot_none": "{m} HKJC hasn't announced the first prize fund for the next draw ({date}) yet, so I have no figure. It is never less than HK${minimum}.",
        "estimate_none": "The first prize estimate isn't announced yet; it is never less than HK${minimum}.",
        "rolled": "Nobody won the first prize in {draw_id}, so it rolls into the next draw.",
        "jackpot_odds": "Every entry's jackpot chance is still 1 in {odds}.",
    },
}


@dataclass(frozen=True, slots=True)
class DrawDay:
    state: str  # OPEN, CLOSED, DRAWN or NO_DRAW
    today: dt.date
    close: dt.datetime  # today's sales close (when there is a draw today)
    draw: Draw | None = None  # today's result, when it is in


def draw_day(context: ReplyContext) -> DrawDay | None:
    """Today's draw, as of the caller's clock; None when the context carries no clock."""
    if context.now is None:
        return None
    local = context.now.astimezone(HONG_KONG)
    today = local.date()
    close = NextDraw(date=today).sales_close_at
    history = context.history
    if len(history) and history.latest.date == today:
        return DrawDay(DRAWN, today, close, history.latest)
    if context.next_draw.date == today:
        return DrawDay(CLOSED if local >= context.next_draw.sales_close_at else OPEN, today, close)
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=HONG_KONG)
    regular = next_scheduled_draw(midnight).date == today
    # An announced draw on another day means HKJC moved today's: no draw today.
    moved = context.next_draw.announced and context.next_draw.date < today
    if regular and not moved and local >= close:
        return DrawDay(CLOSED, today, close)
    return DrawDay(NO_DRAW, today, close)


def closed_today(context: ReplyContext) -> DrawDay | None:
    """Today's draw when its sales have closed and its result is not in yet (21:15 until the result)."""
    day = draw_day(context)
    return day if day is not None and day.state == CLOSED else None


def closed_part(ask: Ask, key: str) -> Part | None:
    """The "today's draw has closed" line for a reply, when it applies."""
    day = closed_today(ask.context)
    if day is None:
        return None
    close = ask.facts.show(day.close.strftime("%H:%M"))
    return Part(TEXTS[ask.wording.language][key].format(close=close))


def _fields(ask: Ask, day: DrawDay | None) -> dict[str, str]:
    upcoming, wording, facts = ask.context.next_draw, ask.wording, ask.facts
    today = date_text(day.today, wording, facts) if day is not None else ""
    close_at = day.close if day is not None and day.state != NO_DRAW else upcoming.sales_close_at
    return {
        "m": ask.mention,
        "today": today,
        "date": date_text(upcoming.date, wording, facts),
        "weekday": facts.show(wording.weekdays[upcoming.date.weekday()]),
        "close": facts.show(close_at.strftime("%H:%M")),
        "time": facts.show(upcoming.draw_at.strftime("%H:%M")),
    }


def draw_today(ask: Ask) -> Answer | None:
    """Whether today's draw has happened; None without a clock (the next-draw answer then says when)."""
    day = draw_day(ask.context)
    if day is None:
        return None
    texts, fields = TEXTS[ask.wording.language], _fields(ask, day)
    if day.state == OPEN:
        today_draw = NextDraw(date=day.today)
        fields["time"] = ask.facts.show(today_draw.draw_at.strftime("%H:%M"))
        parts = [Part(texts["open"].format(**fields))]
    elif day.state == DRAWN and day.draw is not None:
        fields["draw_id"] = ask.facts.show(day.draw.draw_id)
        parts = [
            Part(texts["drawn"].format(**fields)),
            Part(drawn_line(day.draw, ask.wording, ask.facts)),
            Part(texts["drawn_next"].format(**fields), drop_rank=OPTIONAL_MAIN),
        ]
    else:
        parts = [Part(texts[day.state].format(**fields))]
    parts.append(closing(ask, "draw"))
    return Answer(parts, (), request_json(ask.parameters, "next_draw"), frozenset(ask.facts.allowed))


def jackpot(ask: Ask) -> Answer:
    """The next draw's first prize fund or Snowball, or a plain "not announced yet"."""
    upcoming, wording, facts = ask.context.next_draw, ask.wording, ask.facts
    texts, fields = TEXTS[wording.language], _fields(ask, None)
    parts: list[Part] = []
    estimate = upcoming.estimated_first_prize or upcoming.jackpot
    if estimate or upcoming.snowball_name:
        parts.append(Part(texts["jackpot"].format(**fields)))
        if upcoming.snowball_name:
            parts.append(Part(wording.snowball_line.format(name=facts.show(upcoming.snowball_name))))
        if estimate:
            parts.append(Part(wording.jackpot_line.format(amount=facts.money(estimate))))
        else:
            parts.append(
                Part(texts["estimate_none"].format(minimum=facts.money(MINIMUM_FIRST_DIVISION_FUND)))
            )
    else:
        parts.append(
            Part(texts["jackpot_none"].format(**fields, minimum=facts.money(MINIMUM_FIRST_DIVISION_FUND)))
        )
    rolled = _rolled_over(ask)
    if rolled is not None:
        parts.append(Part(texts["rolled"].format(draw_id=facts.show(rolled)), drop_rank=OPTIONAL_MAIN))
    parts.append(
        Part(texts["jackpot_odds"].format(odds=facts.money(COMBINATIONS)), short=wording.honest_short)
    )
    return Answer(parts, (), request_json(ask.parameters, "next_draw"), frozenset(facts.allowed))


def _rolled_over(ask: Ask) -> str | None:
    """The latest draw's id when nobody won its first prize (and it is the draw before the next one)."""
    history = ask.context.history
    if not len(history) or archive_is_behind(ask.context):
        return None
    latest = history.latest
    prizes = ask.context.prizes.get(latest.draw_id)
    if prizes is not None and prizes.winning_units.get(1) == 0:
        return latest.draw_id
    return None
