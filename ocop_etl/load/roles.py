"""PostgreSQL roles: a loader that writes, and a BI role that can read the views and nothing else.

Views run with their owner's privileges, so the BI role needs SELECT on the contract views
only — never on base tables — and can therefore neither see lineage internals it was not
given nor write anything. Passwords come from the environment, never from arguments.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from ocop_etl.errors import ConfigError
from ocop_etl.load.dictionary import view_docs
from ocop_etl.load.tables import metadata

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ConfigError(f"Role name {name!r} must be lower-case letters, digits and _")
    return name


def _ensure_role(conn: Connection, role: str, password: str | None) -> str:
    """Create the role if needed, set its password if given, let it connect; returns the schema."""
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))  # name validated by _ident()
    if password:
        # DDL takes no bind parameters. The password is quoted by psycopg itself and sent on
        # the driver cursor, so SQLAlchemy never echoes it in a statement log or an error.
        from psycopg import sql

        statement = sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)
        )
        with conn.connection.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(statement)
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {role}'))
    conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
    return schema


def grant_bi(conn: Connection, role: str, *, password: str | None = None) -> list[str]:
    """Create/refresh the read-only BI role: SELECT on the contract views, nothing else."""
    role = _ident(role)
    schema = _ensure_role(conn, role, password)
    conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}'))
    views = [v.name for v in view_docs()]
    for view in views:
        conn.execute(text(f"GRANT SELECT ON {view} TO {role}"))
    return views


def grant_loader(conn: Connection, role: str, *, password: str | None = None) -> list[str]:
    """Create/refresh the loader role: read and write the warehouse tables, no DDL."""
    role = _ident(role)
    schema = _ensure_role(conn, role, password)
    tables = sorted(metadata.tables)
    for table in tables:
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {role}"))
    conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}'))
    conn.execute(text("GRANT SELECT ON alembic_version TO " + role))
    for view in (v.name for v in view_docs()):
        conn.execute(text(f"GRANT SELECT ON {view} TO {role}"))
    return tables
