"""When each scheduled post is due, and the results post's caption. Pure: no I/O.

The draw-day post goes out on a draw day from its time (Hong Kong) until
sales close; after that the post would announce a closed draw, so a service
that was down all day skips it. The results post goes out once the latest
draw is in the archive, from its time on the draw day (at once when the
draw was made early, as the sandbox does), for a day and never after the
next regular draw: a months-old result found by a catch-up is not news.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from marksix.domain.calendar import DRAW_TIME, HONG_KONG, NextDraw, next_scheduled_draw
from marksix.domain.draws import Draw
from marksix.domain.rules import COMBINATIONS

HELP_LINE = "平和基金 1834 633"
KIND_LABELS = {"draw_day": "draw-day post", "results": "results post"}
#: A result is news for a day after its draw time (a catch-up after a long outage posts nothing).
RESULTS_FRESH = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class DuePost:
    account_id: str
    kind: str
    draw_date: dt.date  # the key of the post: the draw it is about
    draw_id: str | None


def draw_day_due(
    account_id: str, post_time: dt.time, next_draw: NextDraw, now: dt.datetime
) -> DuePost | None:
    """The post for `next_draw` (the first whose sales are open) on its own day, from `post_time`."""
    local = now.astimezone(HONG_KONG)
    if next_draw.date != local.date() or now >= next_draw.sales_close_at:
        return None
    if now < dt.datetime.combine(next_draw.date, post_time, tzinfo=HONG_KONG):
        return None
    return DuePost(account_id, "draw_day", next_draw.date, next_draw.draw_id)


def results_due(account_id: str, post_time: dt.time, latest: Draw | None, now: dt.datetime) -> DuePost | None:
    """The post for the archive's latest draw, while it is the latest news."""
    if latest is None:
        return None
    drawn_at = dt.datetime.combine(latest.date, DRAW_TIME, tzinfo=HONG_KONG)
    if now >= drawn_at + RESULTS_FRESH or next_scheduled_draw(drawn_at).draw_at <= now:
        return None  # a day old, or a later draw has happened since: not news
    if now >= drawn_at and now < dt.datetime.combine(latest.date, post_time, tzinfo=HONG_KONG):
        return None
    return DuePost(account_id, "results", latest.date, latest.draw_id)


def next_moment(post_times: Sequence[dt.time], now: dt.datetime) -> dt.datetime | None:
    """The first draw-day post time after `now` (the poller's thread wakes then)."""
    if not post_times:
        return None
    upcoming = next_scheduled_draw(now)
    for _ in range(2):
        moments = [
            dt.datetime.combine(upcoming.date, moment, tzinfo=HONG_KONG) for moment in sorted(post_times)
        ]
        later = [moment for moment in moments if now < moment < upcoming.sales_close_at]
        if later:
            return later[0]
        upcoming = next_scheduled_draw(upcoming.sales_close_at)
    return None


def results_caption(
    draw: Draw,
    scorecard: Sequence[str],
    *,
    commitment: str | None,
    record_url: str | None,
) -> str:
    """The results post: the draw, then the settled record of our lines for it, as it is."""
    numbers = " ".join(f"{number:02d}" for number in draw.numbers)
    parts = [
        f"🎱 六合彩第 {draw.draw_id} 期攪珠結果（{draw.date.isoformat()}）",
        f"{numbers} + {draw.extra:02d}",
        f"📒 Our record for draw {draw.draw_id}: " + " ".join(scorecard),
    ]
    if commitment:
        where = f" Check it at {record_url}" if record_url else ""
        parts.append(
            f"The ledger was frozen when sales closed; its SHA-256 commitment is {commitment}.{where}"
        )
    parts.append(
        f"攪珠完全隨機，過去嘅結果唔會影響下一期；每組號碼中頭獎機會都係 1/{COMBINATIONS:,}。量力而為。"
    )
    parts.append(f"18+ 只限成年人。如受賭博問題困擾，請致電{HELP_LINE}。")
    parts.append("#六合彩 #MarkSix #香港")
    return "\n".join(parts)


def no_lines_scorecard(draw_id: str) -> list[str]:
    return [f"We handed out no lines for {draw_id}."]
