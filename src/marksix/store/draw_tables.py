"""Tables of the draw archive: draws and prize data added on top of the
bundled history, and HKJC's announcement of the next draw."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
)

from marksix.store.base import metadata

NUMBER_COLUMNS = ("n1", "n2", "n3", "n4", "n5", "n6")

draws = Table(
    "draws",
    metadata,
    Column("draw_id", String(6), primary_key=True),
    Column("draw_date", Date, nullable=False, unique=True),
    *(Column(name, SmallInteger, nullable=False) for name in NUMBER_COLUMNS),
    Column("extra", SmallInteger, nullable=False),
    Column("source", String(200), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    # The database refuses what a draw can never be, whatever wrote the row.
    CheckConstraint(
        "n1 >= 1 AND n1 < n2 AND n2 < n3 AND n3 < n4 AND n4 < n5 AND n5 < n6 AND n6 <= 49",
        name="sorted_numbers",
    ),
    CheckConstraint("extra BETWEEN 1 AND 49 AND extra NOT IN (n1, n2, n3, n4, n5, n6)", name="extra_number"),
)

#: Prize figures per draw id. No foreign key to `draws`: most prize rows
#: belong to bundled draws whose dividends were published after the bundle.
draw_prizes = Table(
    "draw_prizes",
    metadata,
    Column("draw_id", String(6), primary_key=True),
    Column("draw_date", Date, nullable=False),
    Column("unit_bet", Integer, nullable=True),
    Column("turnover", BigInteger, nullable=True),
    Column("jackpot", BigInteger, nullable=True),
    Column("first_prize_fund", BigInteger, nullable=True),
    Column("snowball_code", String(16), nullable=True),
    Column("snowball_name", String(200), nullable=True),
    Column("source", String(200), nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

draw_prize_tiers = Table(
    "draw_prize_tiers",
    metadata,
    Column("draw_id", String(6), ForeignKey("draw_prizes.draw_id", ondelete="CASCADE"), primary_key=True),
    Column("tier", SmallInteger, primary_key=True),
    Column("dividend", BigInteger, nullable=True),  # HK$ per full unit
    Column("winning_units", Numeric(20, 4), nullable=True),  # partial units make it fractional
    CheckConstraint("tier BETWEEN 1 AND 7", name="tier_range"),
)

#: HKJC's word on upcoming draws (the `marksixDraw` query), newest fetch wins.
announced_draws = Table(
    "announced_draws",
    metadata,
    Column("draw_id", String(6), primary_key=True),
    Column("draw_date", Date, nullable=False),
    Column("close_at", DateTime(timezone=True), nullable=True),
    Column("jackpot", BigInteger, nullable=True),
    Column("estimated_prize", BigInteger, nullable=True),
    Column("snowball_name", String(200), nullable=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)
