"""Frozen ledgers in the database, built from the replies the worker stored.

Freezing is idempotent and deterministic: a draw's ledger is every pick
reply finished after the previous draw's sales close and up to this draw's,
so freezing late gives the same ledger as freezing on time, and a second
freeze (another process, a restart) finds the row already there and keeps it.
A frozen row's ledger and commitment are never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from marksix.autopilot.ledger import (
    LedgerEntry,
    Settlement,
    canonical,
    commitment_of,
    draw_date_for,
    entries_of,
    ledger_body,
    sales_close_for,
    settle,
)
from marksix.domain.calendar import next_scheduled_draw
from marksix.domain.draws import Draw
from marksix.domain.prizes import DrawPrizes
from marksix.errors import NotFound
from marksix.store.record_tables import record_ledgers
from marksix.store.service_tables import comments

#: The draw and its published prizes for a draw date; None while the result is not in.
DrawLookup = Callable[[dt.date], tuple[Draw, DrawPrizes | None] | None]


def collect_lines(engine: Engine, after: dt.datetime | None, until: dt.datetime) -> list[LedgerEntry]:
    """Every pick the bot handed out in (after, until], from the replies the worker recorded."""
    query = select(
        comments.c.account_id, comments.c.comment_id, comments.c.finished_at, comments.c.reply_details
    ).where(
        comments.c.state == "replied",
        comments.c.intent == "pick",
        comments.c.finished_at.is_not(None),
        comments.c.finished_at <= until,
    )
    if after is not None:
        query = query.where(comments.c.finished_at > after)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    entries: list[LedgerEntry] = []
    for account_id, comment_id, finished_at, details in rows:
        entries.extend(_entries_from_reply(str(account_id), str(comment_id), finished_at, details))
    return entries


def _entries_from_reply(
    account_id: str, comment_id: str, finished_at: dt.datetime, details: Any
) -> list[LedgerEntry]:
    if not isinstance(details, Mapping):
        return []
    request = details.get("request") or {}
    strategy = str(request.get("strategy") or "random")
    asked_bankers = {int(number) for number in request.get("bankers") or ()}
    entries = []
    for ticket in details.get("tickets") or ():
        numbers = [int(number) for number in ticket]
        bankers = sorted(asked_bankers & set(numbers))
        legs = sorted(set(numbers) - set(bankers))
        entries.append(
            LedgerEntry(account_id, comment_id, finished_at, strategy, tuple(legs), tuple(bankers))
        )
    return entries


@dataclass(frozen=True, slots=True)
class FrozenLedger:
    draw_date: dt.date
    draw_id: str | None
    frozen_at: dt.datetime
    lines: int
    commitment: str
    ledger: str  # the canonical serialisation
    settled_at: dt.datetime | None
    settlement: dict[str, Any] | None

    @property
    def body(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.ledger)
        return loaded

    @property
    def entries(self) -> list[LedgerEntry]:
        return entries_of(self.body)

    @property
    def label(self) -> str:
        return self.draw_id or f"the draw of {self.draw_date.isoformat()}"

    def export(self) -> dict[str, Any]:
        """What `marksix record export` writes and `verify` reads back."""
        return {"commitment": self.commitment, "draw_id": self.draw_id, "ledger": self.body}


def _frozen(row: Any) -> FrozenLedger:
    return FrozenLedger(
        draw_date=dt.date.fromisoformat(row.draw_date),
        draw_id=row.draw_id,
        frozen_at=row.frozen_at,
        lines=row.lines,
        commitment=row.commitment,
        ledger=row.ledger,
        settled_at=row.settled_at,
        settlement=row.settlement,
    )


class RecordRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def all(self) -> list[FrozenLedger]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(record_ledgers).order_by(record_ledgers.c.draw_date)).all()
        return [_frozen(row) for row in rows]

    def get(self, draw: str) -> FrozenLedger:
        """By draw id (26/093) or draw date (2026-12-01)."""
        column = record_ledgers.c.draw_id if "/" in draw else record_ledgers.c.draw_date
        with self.engine.connect() as connection:
            row = connection.execute(select(record_ledgers).where(column == draw)).first()
        if row is None:
            raise NotFound(
                f"no frozen ledger for draw {draw}: ledgers are frozen at 21:15 on draw days "
                "(see `marksix record` for the list)"
            )
        return _frozen(row)

    def latest(self) -> FrozenLedger | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(record_ledgers).order_by(record_ledgers.c.draw_date.desc()).limit(1)
            ).first()
        return _frozen(row) if row is not None else None

    def freeze_due(self, now: dt.datetime) -> list[FrozenLedger]:
        """Freeze every draw whose sales have closed since the first line handed out."""
        first = self._first_line_at()
        if first is None:
            return []
        frozen = {ledger.draw_date: ledger for ledger in self.all()}
        made = []
        draw_date = draw_date_for(first)
        while sales_close_for(draw_date) <= now or draw_date in frozen:
            if draw_date not in frozen:
                made.append(self.freeze(draw_date, now))
            draw_date = next_scheduled_draw(sales_close_for(draw_date)).date
        return made

    def freeze(
        self, draw_date: dt.date, now: dt.datetime, *, closed_at: dt.datetime | None = None
    ) -> FrozenLedger:
        """Freeze the draw's ledger: the lines after the previous draw's close up to this one's
        (`closed_at` when sales closed early, as in the sandbox; the calendar's 21:15 otherwise)."""
        previous_close = self._close_of(_previous_draw_date(draw_date))
        entries = collect_lines(self.engine, previous_close, closed_at or sales_close_for(draw_date))
        body = ledger_body(draw_date, entries)
        row = {
            "draw_date": draw_date.isoformat(),
            "draw_id": None,
            "frozen_at": now,
            "lines": sum(entry.lines for entry in entries),
            "commitment": commitment_of(body),
            "ledger": canonical(body).decode("utf-8"),
            "settled_at": None,
            "settlement": None,
            "closed_at": closed_at,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(record_ledgers.insert().values(**row))
        except IntegrityError:
            pass  # another process froze it first; theirs stands
        return self.get(draw_date.isoformat())

    def _close_of(self, draw_date: dt.date) -> dt.datetime:
        """When that draw's sales closed: as recorded when it closed early, else the calendar's."""
        with self.engine.connect() as connection:
            early = connection.execute(
                select(record_ledgers.c.closed_at).where(record_ledgers.c.draw_date == draw_date.isoformat())
            ).scalar()
        return early if isinstance(early, dt.datetime) else sales_close_for(draw_date)

    def settle_due(self, lookup: DrawLookup, now: dt.datetime) -> list[FrozenLedger]:
        """Settle frozen ledgers whose result is in (and re-settle when shared dividends arrive)."""
        settled = []
        for ledger in self.all():
            if ledger.settlement is not None and not ledger.settlement.get("prize_unknown"):
                continue
            found = lookup(ledger.draw_date)
            if found is None:
                continue
            draw, prizes = found
            result = settle(ledger.entries, draw, prizes)
            with self.engine.begin() as connection:
                connection.execute(
                    record_ledgers.update()
                    .where(record_ledgers.c.draw_date == ledger.draw_date.isoformat())
                    .values(draw_id=draw.draw_id, settled_at=now, settlement=result.to_json())
                )
            settled.append(self.get(ledger.draw_date.isoformat()))
        return settled

    def _first_line_at(self) -> dt.datetime | None:
        from sqlalchemy import func

        with self.engine.connect() as connection:
            first = connection.execute(
                select(func.min(comments.c.finished_at)).where(
                    comments.c.state == "replied", comments.c.intent == "pick"
                )
            ).scalar()
        if first is None:
            return None
        if isinstance(first, str):  # SQLite's aggregate bypasses the column type
            first = dt.datetime.fromisoformat(first)
        return first if first.tzinfo else first.replace(tzinfo=dt.UTC)


def _previous_draw_date(draw_date: dt.date) -> dt.date:
    day = draw_date - dt.timedelta(days=1)
    while next_scheduled_draw(sales_close_for(day) - dt.timedelta(seconds=1)).date != day:
        day -= dt.timedelta(days=1)
    return day


def archive_lookup(history: Sequence[Draw], prizes: Mapping[str, DrawPrizes]) -> DrawLookup:
    """A DrawLookup over the archive's draws, matched by date. A draw HKJC moved
    (a typhoon, say) is found on a later day before the next regular draw."""
    by_date = {draw.date: draw for draw in history}

    def lookup(draw_date: dt.date) -> tuple[Draw, DrawPrizes | None] | None:
        draw = by_date.get(draw_date)
        if draw is None:
            following = next_scheduled_draw(sales_close_for(draw_date)).date
            day = draw_date + dt.timedelta(days=1)
            while draw is None and day < following:
                draw, day = by_date.get(day), day + dt.timedelta(days=1)
        return (draw, prizes.get(draw.draw_id)) if draw is not None else None

    return lookup


def settlement_of(ledger: FrozenLedger) -> Settlement | None:
    """The stored settlement recomputed into its object form (for the text)."""
    if ledger.settlement is None:
        return None
    data = ledger.settlement
    from marksix.domain.draws import make_draw

    draw = make_draw(str(data["draw_id"]), ledger.draw_date.isoformat(), data["numbers"], data["extra"])
    from fractions import Fraction

    from marksix.autopilot.ledger import expectations

    return Settlement(
        draw=draw,
        lines=int(data["lines"]),
        by_tier={int(tier): int(count) for tier, count in data["by_tier"].items()},
        prize_total=Fraction(str(data["prize_total"] or 0)),
        prize_unknown=bool(data["prize_unknown"]),
        expected=expectations(int(data["lines"])),
    )
