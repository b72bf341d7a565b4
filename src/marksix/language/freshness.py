"""Honesty about how old the archive is.

The archive can fall behind the draw calendar (no network, a failed
update). A reply must then not call its latest result 上期, and figures say
the date of the latest draw they know. Whether it is behind is read from the
context alone (the latest draw in the history against the next scheduled
draw), so the language layer stays pure.
"""

from __future__ import annotations

from marksix.domain.calendar import HONG_KONG, NextDraw, next_scheduled_draw
from marksix.language.model import ReplyContext

#: Draws are at most a few days apart (Snowball dates move them a little):
#: more than this between the latest known draw and the next one means draws are missing.
STALE_AFTER_DAYS = 8

#: A head for the last result when it is not the last one held by HKJC.
STALE_LAST_HEAD = {
    "zh-HK": "{m} 我手上最新嘅結果係 {draw_id}（{date}），之後嘅攪珠我未有資料：",
    "zh-CN": "{m} 我手上最新的结果是 {draw_id}（{date}），之后的开奖还没有资料：",
    "en": "{m} The latest result I have is {draw_id} ({date}); later draws aren't in my data yet:",
}
#: Said under statistics and ticket checks when the archive is behind.
STALE_NOTE = {
    "zh-HK": "（我手上最新係{date}嗰期，之後嘅未更新。）",
    "zh-CN": "（我手上最新是{date}那期，之后的还没更新。）",
    "en": "(My latest draw is {date}; later ones aren't in yet.)",
}
#: A ticket check that names a draw the archive does not hold.
MISSING_DRAW_NOTE = {
    "zh-HK": "我手上未有你講嗰期嘅結果，幫你對咗我有嘅最新一期。",
    "zh-CN": "我还没有你说的那期结果，帮你对了我有的最新一期。",
    "en": "I don't have that draw's result yet, so I checked the latest one I have.",
}


def archive_is_behind(context: ReplyContext) -> bool:
    """True when draws are missing between the latest known one and the next scheduled one.

    With the caller's clock it is exact: a regular draw on an earlier day than
    today came after the latest one the archive holds (today's own result may
    still be on its way, which the "today's draw has closed" line says).
    """
    if not len(context.history):
        return False
    latest = context.history.latest.date
    gap = (context.next_draw.date - latest).days
    if gap > STALE_AFTER_DAYS:
        return True
    if context.now is None:
        return False
    following = next_scheduled_draw(NextDraw(date=latest).sales_close_at).date
    return following < context.now.astimezone(HONG_KONG).date()
