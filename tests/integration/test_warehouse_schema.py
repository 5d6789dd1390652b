"""The warehouse schema: migrations from empty and from the previous revision, the BI contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text

from ocop_etl.load import ledger
from ocop_etl.load.engine import get_engine
from ocop_etl.load.migrate import (
    alembic_config,
    current_revision,
    ensure_current,
    head_revision,
    upgrade,
)
from ocop_etl.load.tables import metadata
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import count, run_files

pytestmark = pytest.mark.integration

# The documented BI contract (warehouse/README.md): view → columns it must always have.
CONTRACT = {
    "ocop_recognition": [
        "recognition_id",
        "product_name",
        "product_key",
        "producer_name",
        "producer_type",
        "stars",
        "score",
        "is_potential_5_star",
        "province_code",
        "province_name",
        "district_code",
        "district_name",
        "commune_code",
        "commune_name",
        "current_province_code",
        "current_province_name",
        "product_group_code",
        "product_group_name",
        "criteria_version",
        "evaluation_year",
        "decision_no",
        "decision_date",
        "issuing_level",
        "valid_until",
        "is_current",
        "source_file",
        "source_sheet",
        "source_row",
        "load_id",
    ],
    "ocop_product_current": ["product_id", "product_name", "stars", "valid_until", "is_current"],
    "ocop_summary_by_province_year": [
        "province_code",
        "province_name",
        "current_province_code",
        "current_province_name",
        "evaluation_year",
        "stars",
        "recognitions",
        "products",
    ],
    "ocop_reporting_completeness": [
        "province_code",
        "district_code",
        "district_name",
        "period_year",
        "has_reported",
        "last_loaded_at",
    ],
    "ocop_certificates_expiring": ["product_id", "product_name", "valid_until", "days_to_expiry"],
    "etl_file_status": [
        "source_file",
        "status",
        "rows_loaded",
        "rows_rejected",
        "reason_code",
        "loaded_at",
    ],
    "etl_rejected_row": [
        "source_file",
        "source_sheet",
        "source_row",
        "issue_code",
        "message_vi",
        "message_en",
    ],
}


def test_upgrade_from_empty_creates_tables_views_and_reference_data(warehouse_url: str) -> None:
    engine = get_engine(warehouse_url)
    assert current_revision(engine) is None

    upgrade(engine)
    upgrade(engine)  # a second run changes nothing and does not fail

    assert current_revision(engine) == head_revision()
    for view, columns in CONTRACT.items():
        with engine.connect() as conn:
            result = conn.execute(text(f"SELECT * FROM {view} WHERE 1 = 0"))
            assert set(columns) <= set(result.keys()), view
    with engine.connect() as conn:
        units = dict(
            conn.execute(
                text(
                    "SELECT scheme || ':' || level, COUNT(*) FROM dim_admin_unit GROUP BY scheme, level"
                )
            ).all()
        )
    assert units["pre2025:province"] == 63
    assert units["2025:province"] == 34
    assert units["2025:commune"] == 3321
    assert count(engine, "dim_product_group") > 20


def test_upgrade_from_the_previous_revision(warehouse_url: str, tmp_path: Path) -> None:
    engine = get_engine(warehouse_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "-1")
        assert current_revision(engine) != head_revision()  # the previous revision…
        command.downgrade(cfg, "0001")  # …and the one before the admin_alias table
    assert current_revision(engine) == "0001"
    assert "admin_alias" not in inspect(engine).get_table_names()

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert "fct_recognition" in inspect(engine).get_table_names()
    # The table the newer revision added is created and seeded on the upgraded database.
    assert count(engine, "admin_alias") > 1000
    with engine.connect() as conn:
        nong_son = conn.execute(text(
            "SELECT u.name FROM admin_alias a JOIN dim_admin_unit u ON u.scheme = a.scheme "
            "AND u.level = a.level AND u.code = a.code "
            "WHERE a.alias = 'nongson' AND a.kind = 'former_name' AND a.level = 'district'"
        )).scalars().all()
    assert nong_son == ["Quế Sơn"]


def test_a_warehouse_with_older_reference_data_is_refreshed(warehouse_url: str) -> None:
    engine = get_engine(warehouse_url)
    upgrade(engine)
    # As a warehouse seeded before the historical units shipped: old version, no Nông Sơn (519).
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dim_admin_unit WHERE scheme = 'pre2025' AND code = '519'"))
        conn.execute(text("UPDATE reference_version SET version = 'older' WHERE dataset = 'admin_units'"))
    groups_loaded_at = _loaded_at(engine, "product_groups")

    ensure_current(engine)

    with engine.connect() as conn:
        name = conn.execute(text(
            "SELECT name FROM dim_admin_unit WHERE scheme = 'pre2025' AND level = 'district' AND code = '519'"
        )).scalar_one()
    assert name == "Nông Sơn"
    assert count(engine, "dim_admin_unit") > 14_000
    assert _loaded_at(engine, "product_groups") == groups_loaded_at  # current datasets untouched


def _loaded_at(engine, dataset: str) -> object:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT loaded_at FROM reference_version WHERE dataset = :d"), {"d": dataset}
        ).scalar_one()


def test_the_migrations_build_exactly_the_declared_schema(warehouse_url: str) -> None:
    # tables.py is what the code relies on; the migrations are what production has.
    engine = get_engine(warehouse_url)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_a_fact_names_its_file_and_that_files_own_load(warehouse_url: str, tmp_path: Path) -> None:
    report = write_samples(tmp_path / "inbox", files=1, rows_per_file=(5, 5))[0]
    (outcome,) = run_files(warehouse_url, [report.path], tmp_path)
    engine = get_engine(warehouse_url)
    other_load = ledger.start_load(engine, source="test", flow_run_id=None)
    copy = (
        "INSERT INTO fct_recognition (file_id, load_id, source_sheet, source_row, product_id,"
        " product_name, is_potential_5_star, warnings) SELECT file_id, {load}, source_sheet,"
        " source_row + 1000, product_id, product_name, is_potential_5_star, warnings"
        " FROM fct_recognition WHERE file_id = :file"
    )
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        # Both the file and the load exist, but the file was loaded by another run.
        conn.execute(text(copy.format(load=other_load)), {"file": outcome.file_id})
    with engine.begin() as conn:  # the file's own load is accepted
        conn.execute(text(copy.format(load="load_id")), {"file": outcome.file_id})
    assert count(engine, "fct_recognition") == 2 * outcome.rows_loaded


def test_a_loaded_warehouse_goes_down_and_up_the_fact_key_change_whole(
    warehouse_url: str, tmp_path: Path
) -> None:
    # Revision 0005 recreates fct_recognition on SQLite (copy, drop, rename) under the views
    # that read it: the facts, the views and the keys must all come through.
    reports = write_samples(tmp_path / "inbox", files=2, rows_per_file=(5, 8))
    outcomes = run_files(warehouse_url, [r.path for r in reports], tmp_path)
    engine = get_engine(warehouse_url)
    loaded = sum(o.rows_loaded for o in outcomes)
    assert loaded > 0

    def state() -> tuple[int, int, list[list[str]]]:
        with engine.connect() as conn:
            in_view = conn.execute(text("SELECT COUNT(*) FROM ocop_recognition")).scalar_one()
        declared = inspect(engine).get_foreign_keys("fct_recognition")
        keys = sorted(fk["constrained_columns"] for fk in declared)
        return count(engine, "fct_recognition"), in_view, keys

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert state() == (
        loaded, loaded, [["file_id"], ["load_id"], ["producer_id"], ["product_id"]]
    )
    upgrade(engine)
    assert state() == (loaded, loaded, [["file_id", "load_id"], ["product_id"]])
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
