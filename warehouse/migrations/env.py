"""Alembic environment: target metadata is ``ocop_etl.load.tables.metadata``.

``ocop_etl.load.migrate`` passes an open connection in ``config.attributes['connection']``;
the command-line ``alembic`` falls back to ``OCOP_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from ocop_etl.load.tables import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place: batch mode recreates the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("OCOP_DATABASE_URL")
    if not url:
        raise SystemExit("Set OCOP_DATABASE_URL or use `ocop-etl db upgrade --db URL`.")
    with create_engine(url).connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
