"""Bring a warehouse to the current schema: Alembic migrations, then the BI views, then seeds.

Views are *repeatable* objects (Flyway's R__ idea): after every upgrade they are dropped and
re-created from ``warehouse/views/*.sql``, so a view change is an edit to one SQL file and the
migration history holds only table changes. ``NAME.<dialect>.sql`` overrides ``NAME.sql``
where date arithmetic differs between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, delete, insert, select, text

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


def _reference_datasets() -> dict[str, tuple[str, tuple[str, ...]]]:
    """dataset → (version shipped with this code, the tables it fills)."""
    from ocop_etl.reference.admin_dimension import ADMIN_REFERENCE_VERSION
    from ocop_etl.reference.product_groups import PRODUCT_GROUPS_VERSION

    return {
        "admin_units": (
            ADMIN_REFERENCE_VERSION,
            ("dim_admin_unit", "bridge_admin_2025", "admin_alias"),
        ),
        "product_groups": (PRODUCT_GROUPS_VERSION, ("dim_product_group",)),
    }


def stale_reference_data(conn: Connection) -> list[str]:
    """Datasets whose stored version differs from the one this code ships."""
    stored = dict(
        conn.execute(
            select(tables.reference_version.c.dataset, tables.reference_version.c.version)
        ).all()
    )
    return [
        name for name, (version, _) in _reference_datasets().items() if stored.get(name) != version
    ]


def _frames(dataset: str) -> dict[str, list[dict[str, object]]]:
    if dataset == "product_groups":
        from ocop_etl.reference.product_groups import product_group_rows

        return {"dim_product_group": [dict(row) for row in product_group_rows()]}
    from ocop_etl.reference.admin_dimension import reference_tables

    return {
        name: frame.astype(object).where(frame.notna(), None).to_dict("records")
        for name, frame in reference_tables().items()
    }


def seed_reference_data(conn: Connection) -> dict[str, int]:
    """Replace each reference dataset whose stored version is not the one this code ships.

    Reference rows are versioned with the code (a library upgrade, historical units added…);
    facts keep codes, not foreign keys to these rows, so replacing them in the caller's
    transaction is safe and all-or-nothing.
    """
    counts: dict[str, int] = {}
    versions = _reference_datasets()
    for dataset in stale_reference_data(conn):
        version, names = versions[dataset]
        frames = _frames(dataset)
        for name in names:
            table = tables.metadata.tables[name]
            conn.execute(delete(table))
            if frames[name]:
                conn.execute(insert(table), frames[name])
            counts[name] = len(frames[name])
        conn.execute(
            delete(tables.reference_version).where(tables.reference_version.c.dataset == dataset)
        )
        conn.execute(
            insert(tables.reference_version).values(
                dataset=dataset, version=version, loaded_at=datetime.now(UTC)
            )
        )
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
    """Upgrade only when the schema or the reference data is behind; two cheap queries otherwise."""
    if current_revision(engine) != head_revision():
        upgrade(engine)
        return
    with engine.connect() as conn:
        stale = stale_reference_data(conn)
    if stale:
        with engine.begin() as conn:
            seed_reference_data(conn)
