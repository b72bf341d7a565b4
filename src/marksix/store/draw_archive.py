"""The draw archive in the database: draws, prize figures and announcements
added on top of the bundled history. The same code runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Connection, Engine, delete, func, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from marksix.domain.calendar import NextDraw
from marksix.domain.draws import Draw
from marksix.domain.prizes import DrawPrizes
from marksix.errors import StoreError
from marksix.store.draw_tables import (
    NUMBER_COLUMNS,
    announced_draws,
    draw_prize_tiers,
    draw_prizes,
    draws,
)
from marksix.store.engine import write_transaction


class DrawRepository:
    """Reads and writes the archive tables through one engine
    (`marksix.draws.archive.DrawArchive` is what the rest of the code uses)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def exists(self) -> bool:
        """Whether the archive tables are there (a migrated database)."""
        try:
            return inspect(self.engine).has_table(draws.name)
        except SQLAlchemyError as error:
            raise _store_error("open", self.engine, error) from None

    def fingerprint(self) -> tuple[object, ...]:
        """What changes whenever draws or prize figures are written
        (the same query as marksix.draws.sqlite_reader.FINGERPRINT)."""
        query = select(
            select(func.count()).select_from(draws).scalar_subquery(),
            select(func.max(draws.c.added_at)).scalar_subquery(),
            select(func.count()).select_from(draw_prizes).scalar_subquery(),
            select(func.max(draw_prizes.c.fetched_at)).scalar_subquery(),
        )
        try:
            with self.engine.connect() as connection:
                row = connection.execute(query).one()
        except SQLAlchemyError as error:
            raise _store_error("read", self.engine, error) from None
        return tuple(row)

    def draws(self) -> list[Draw]:
        query = select(draws).order_by(draws.c.draw_date, draws.c.draw_id)
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError as error:
            raise _store_error("read draws from", self.engine, error) from None
        return [
            Draw(
                draw_id=row.draw_id,
                date=row.draw_date,
                numbers=(row.n1, row.n2, row.n3, row.n4, row.n5, row.n6),
                extra=row.extra,
            )
            for row in rows
        ]

    def prizes(self) -> dict[str, DrawPrizes]:
        try:
            with self.engine.connect() as connection:
                pools = connection.execute(select(draw_prizes)).all()
                tiers = connection.execute(select(draw_prize_tiers)).all()
        except SQLAlchemyError as error:
            raise _store_error("read prizes from", self.engine, error) from None
        dividends: dict[str, dict[int, int]] = {}
        units: dict[str, dict[int, Decimal]] = {}
        for tier in tiers:
            if tier.dividend is not None:
                dividends.setdefault(tier.draw_id, {})[tier.tier] = int(tier.dividend)
            if tier.winning_units is not None:
                units.setdefault(tier.draw_id, {})[tier.tier] = Decimal(tier.winning_units).normalize()
        return {
            pool.draw_id: DrawPrizes(
                draw_id=pool.draw_id,
                date=pool.draw_date,
                turnover=pool.turnover,
                jackpot=pool.jackpot,
                first_prize_fund=pool.first_prize_fund,
                snowball_code=pool.snowball_code,
                snowball_name=pool.snowball_name,
                dividends=dividends.get(pool.draw_id, {}),
                winning_units=units.get(pool.draw_id, {}),
            )
            for pool in pools
        }

    def announced_after(self, now: dt.datetime) -> NextDraw | None:
        """The earliest announced draw whose sales are still open at `now`."""
        query = (
            select(announced_draws)
            .where(announced_draws.c.close_at > _utc(now))
            .order_by(announced_draws.c.close_at)
            .limit(1)
        )
        try:
            with self.engine.connect() as connection:
                row = connection.execute(query).first()
        except SQLAlchemyError as error:
            raise _store_error("read the next draw from", self.engine, error) from None
        if row is None:
            return None
        return NextDraw(
            date=row.draw_date,
            draw_id=row.draw_id,
            jackpot=row.jackpot,
            snowball_name=row.snowball_name,
            estimated_first_prize=row.estimated_prize,
            announced=True,
        )

    def save(
        self,
        *,
        new_draws: Sequence[Draw] = (),
        prizes: Sequence[DrawPrizes] = (),
        announcements: Sequence[NextDraw] = (),
        source: str,
        now: dt.datetime,
    ) -> None:
        """Add draws and replace prize figures and announcements, all in one
        transaction: either everything is written or nothing is."""
        try:
            with write_transaction(self.engine) as connection:
                _insert_draws(connection, new_draws, source, now)
                _replace_prizes(connection, prizes, source, now)
                _replace_announcements(connection, announcements, now)
        except SQLAlchemyError as error:
            raise _store_error("write to", self.engine, error) from None


def _insert_draws(connection: Connection, new_draws: Sequence[Draw], source: str, now: dt.datetime) -> None:
    if not new_draws:
        return
    rows = [
        {
            "draw_id": draw.draw_id,
            "draw_date": draw.date,
            **dict(zip(NUMBER_COLUMNS, draw.numbers, strict=True)),
            "extra": draw.extra,
            "source": source[:200],
            "added_at": _utc(now),
        }
        for draw in new_draws
    ]
    connection.execute(insert(draws), rows)


def _replace_prizes(
    connection: Connection, prizes: Sequence[DrawPrizes], source: str, now: dt.datetime
) -> None:
    if not prizes:
        return
    ids = [prize.draw_id for prize in prizes]
    # A portable upsert: HKJC's latest figures replace what was stored before.
    connection.execute(delete(draw_prizes).where(draw_prizes.c.draw_id.in_(ids)))
    connection.execute(
        insert(draw_prizes),
        [
            {
                "draw_id": prize.draw_id,
                "draw_date": prize.date,
                "unit_bet": prize.unit_price,
                "turnover": prize.turnover,
                "jackpot": prize.jackpot,
                "first_prize_fund": prize.first_prize_fund,
                "snowball_code": prize.snowball_code,
                "snowball_name": prize.snowball_name,
                "source": source[:200],
                "fetched_at": _utc(now),
            }
            for prize in prizes
        ],
    )
    tier_rows = [
        {
            "draw_id": prize.draw_id,
            "tier": tier,
            "dividend": prize.dividends.get(tier),
            "winning_units": prize.winning_units.get(tier),
        }
        for prize in prizes
        for tier in sorted(set(prize.dividends) | set(prize.winning_units))
    ]
    if tier_rows:
        connection.execute(insert(draw_prize_tiers), tier_rows)


def _replace_announcements(
    connection: Connection, announcements: Sequence[NextDraw], now: dt.datetime
) -> None:
    if not announcements:
        return
    announcements = [announcement for announcement in announcements if announcement.draw_id]
    ids = [announcement.draw_id for announcement in announcements]
    connection.execute(delete(announced_draws).where(announced_draws.c.draw_id.in_(ids)))
    connection.execute(
        insert(announced_draws),
        [
            {
                "draw_id": announcement.draw_id,
                "draw_date": announcement.date,
                "close_at": _utc(announcement.sales_close_at),
                "jackpot": announcement.jackpot,
                "estimated_prize": announcement.estimated_first_prize,
                "snowball_name": announcement.snowball_name,
                "fetched_at": _utc(now),
            }
            for announcement in announcements
        ],
    )


def _store_error(action: str, engine: Engine, error: SQLAlchemyError) -> StoreError:
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    return StoreError(f"cannot {action} {engine.url.render_as_string(hide_password=True)}: {detail}")


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite keeps no time zone: every stored time is UTC, so comparisons hold.
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(dt.UTC)
