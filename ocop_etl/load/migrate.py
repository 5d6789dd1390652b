"""Bring a warehouse to the current schema: Alembic migrations, then the BI views, then seeds.

Views are *repeatable* objects (Flyway's R__ idea): after every upgrade they are dropped and
re-created from ``warehouse/views/*.sql``, so a view change is an edit to one SQL file and the
migration history holds only table changes. ``NAME.<dialect>.sql`` overrides ``NAME.sql``
where date arithmetic differs between SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, insert, select, text

from ocop_etl.load import tables

WAREHOUSE_DIR = Path(__file__).resolve().parents[2] / "warehouse"
VIEWS_DIR = WAREHOUSE_DIR / "views"


def alembic_config() -> Config:
    cfg = Config(str(WAREHOUSE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(WAREHOUSE_DIR / "migrations"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def view_files(dialect: str) -> list[Path]:
    """The view definitions for ``dialect``, in dependency (file-name) order."""
    chosen: dict[str, Path] = {}
    for path in sorted(VIEWS_DIR.glob("*.sql")):
        parts = path.name.split(".")
        name, variant = parts[0], parts[1] if len(parts) == 3 else None
        if variant is None:
            chosen.setdefault(name, path)
        elif variant == dialect:
            chosen[name] = path
    return [chosen[k] for k in sorted(chosen)]


def _view_name(path: Path) -> str:
    return path.name.split(".")[0].split("_", 1)[1]


def _view_grants(conn: Connection, views: list[str]) -> list[tuple[str, str]]:
    """(view, grantee) SELECT grants, so re-creating a view does not lock the BI role out."""
    if conn.dialect.name != "postgresql":
        return []
    rows = conn.execute(
        text(
            "SELECT table_name, grantee FROM information_schema.role_table_grants "
            "WHERE privilege_type = 'SELECT' AND table_schema = current_schema() "
            "AND grantee <> current_user AND table_name = ANY(:views)"
        ),
        {"views": views},
    )
    return [(r[0], r[1]) for r in rows]


def recreate_views(conn: Connection) -> list[str]:
    files = view_files(conn.dialect.name)
    names = [_view_name(p) for p in files]
    grants = _view_grants(conn, names)
    cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""
    for name in reversed(names):  # dependants first
        conn.execute(text(f"DROP VIEW IF EXISTS {name}{cascade}"))
    for path in files:
        conn.execute(text(path.read_text(encoding="utf-8")))
    for view, grantee in grants:
        conn.execute(text(f'GRANT SELECT ON {view} TO "{grantee}"'))
    return names


def seed_reference_data(conn: Connection) -> dict[str, int]:
    """Load administrative units and product groups once (they are versioned with the code)."""
    from ocop_etl.reference.admin_dimension import reference_tables
    from ocop_etl.reference.product_groups import product_group_rows

    counts: dict[str, int] = {}
    frames = None
    for name in ("dim_admin_unit", "bridge_admin_2025", "admin_alias"):
        table = tables.metadata.tables[name]
        # Each table is seeded when empty, so a table added by a later migration is filled too.
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            continue
        frames = frames if frames is not None else reference_tables()
        frame = frames[name]
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        if records:
            conn.execute(insert(table), records)
        counts[name] = len(records)
    groups = conn.execute(select(func.count()).select_from(tables.dim_product_group)).scalar_one()
    if not groups:
        rows = product_group_rows()
        conn.execute(insert(tables.dim_product_group), rows)
        counts["dim_product_group"] = len(rows)
    return counts


def upgrade(engine: Engine) -> None:
    """Migrate to head, re-create the views, seed reference data. Safe to run any number of times."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.begin() as conn:
        recreate_views(conn)
        seed_reference_data(conn)
        from ocop_etl.load.dictionary import apply_comments

        apply_comments(conn)


def ensure_current(engine: Engine) -> None:
    """Upgrade only when the database is behind; cheap when it is already at head."""
    if current_revision(engine) != head_revision():
        upgrade(engine)
