"""A lease row: one holder at a time across processes, for as long as it renews.

Taking a lease is one conditional write (insert, or update where it has
expired or is already ours), so two processes racing for it cannot both win
on SQLite or PostgreSQL; a holder that dies just lets it run out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError

from marksix.store.record_tables import autopilot_leases


class Lease:
    def __init__(self, engine: Engine, name: str, holder: str, ttl: dt.timedelta) -> None:
        self.engine, self.name, self.holder, self.ttl = engine, name, holder, ttl

    def acquire(self, now: dt.datetime) -> bool:
        """Take or renew the lease; False while another holder's is unexpired."""
        until = now + self.ttl
        table = autopilot_leases
        with self.engine.begin() as connection:
            taken = connection.execute(
                table.update()
                .where(
                    table.c.name == self.name, or_(table.c.holder == self.holder, table.c.expires_at <= now)
                )
                .values(holder=self.holder, expires_at=until)
            ).rowcount
        if taken:
            return True
        try:
            with self.engine.begin() as connection:
                exists = connection.execute(select(table.c.name).where(table.c.name == self.name)).first()
                if exists is not None:
                    return False
                connection.execute(
                    table.insert().values(name=self.name, holder=self.holder, expires_at=until)
                )
            return True
        except IntegrityError:
            return False  # another process inserted it first

    def release(self) -> None:
        table = autopilot_leases
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.name == self.name, table.c.holder == self.holder))
