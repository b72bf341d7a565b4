"""Alembic environment for marksix: always run programmatically.

`marksix.store.engine.upgrade` passes an open connection in
`config.attributes["connection"]`; there is no alembic.ini and no logging setup.
"""

from __future__ import annotations

import importlib

from alembic import context

from marksix.store.base import metadata

# Every table module registers on the shared MetaData; import the ones that
# exist so `alembic revision --autogenerate` sees the whole schema.
for _module in ("marksix.store.draw_tables", "marksix.store.service_tables", "marksix.store.record_tables"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise

target_metadata = metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through marksix.store.engine.upgrade(engine)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations()
