"""The draw calendar: when the next draw is, in Hong Kong time.

Mark Six normally draws on Tuesday, Thursday and Saturday (Sunday when the
Saturday is a race day) at 21:30, with sales closing at 21:15. Draws do move
(typhoons, big jackpots, COVID), so a date computed here is the regular
schedule unless HKJC's own announcement is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
DRAW_TIME = dt.time(21, 30)
SALES_CLOSE = dt.time(21, 15)
#: Monday is 0: Tuesday, Thursday, Saturday.
DRAW_WEEKDAYS = (1, 3, 5)


@dataclass(frozen=True, slots=True)
class NextDraw:
    date: dt.date
    draw_id: str | None = None  # known only from HKJC's announcement
    jackpot: int | None = None
    snowball_name: str | None = None
    estimated_first_prize: int | None = None
    announced: bool = False  # False: the regular schedule, not HKJC's word

    @property
    def draw_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, DRAW_TIME, tzinfo=HONG_KONG)

    @property
    def sales_close_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, SALES_CLOSE, tzinfo=HONG_KONG)

    @property
    def key(self) -> str:
        """A stable name for this draw, used to seed per-commenter picks."""
        return self.draw_id or self.date.isoformat()

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "date": self.date.isoformat(),
            "sales_close": self.sales_close_at.isoformat(),
            "draw_time": self.draw_at.isoformat(),
            "jackpot": self.jackpot,
            "snowball_name": self.snowball_name,
            "estimated_first_prize": self.estimated_first_prize,
            "announced": self.announced,
        }


def next_scheduled_draw(now: dt.datetime) -> NextDraw:
    """The first regular draw whose sales have not closed at `now` (aware)."""
    local = now.astimezone(HONG_KONG)
    day = local.date()
    if local.time() >= SALES_CLOSE:
        day += dt.timedelta(days=1)
    while day.weekday() not in DRAW_WEEKDAYS:
        day += dt.timedelta(days=1)
    return NextDraw(date=day)
