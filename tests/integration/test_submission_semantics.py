"""Re-running is always safe: same bytes, same content, resubmission, crash half way."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ocop_etl.load import ledger, loader
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import (
    count,
    query_plan,
    rows,
    run_files,
    statements_sent,
    warehouse,
)

pytestmark = pytest.mark.integration

TABLES = ("fct_recognition", "dim_producer", "dim_product", "dq_issue", "dq_rejected_row")


def _snapshot(url: str) -> dict[str, int]:
    engine = warehouse(url)
    return {t: count(engine, t) for t in TABLES}


def test_ingesting_twice_leaves_an_identical_warehouse(warehouse_url: str, tmp_path: Path) -> None:
    reports = write_samples(tmp_path / "inbox", files=4, rows_per_file=(5, 10), seed=3, faults=True)
    paths = [r.path for r in reports]
    first = run_files(warehouse_url, paths, tmp_path)
    before = _snapshot(warehouse_url)

    second = run_files(warehouse_url, paths, tmp_path)

    assert {o.status for o in first} == {"loaded"}
    assert [o.status for o in second] == ["skipped_duplicate"] * len(paths)
    assert {o.reason_code for o in second} == {"file.duplicate_bytes"}
    assert _snapshot(warehouse_url) == before
    # Every run is recorded in the ledger: 4 loaded + 4 skipped attempts.
    engine = warehouse(warehouse_url)
    statuses = [r["status"] for r in rows(engine, "SELECT status FROM etl_file_status")]
    assert sorted(statuses) == ["loaded"] * 4 + ["skipped_duplicate"] * 4


def test_a_file_resaved_in_excel_is_recognised_by_its_content(
    warehouse_url: str, tmp_path: Path
) -> None:
    (report,) = write_samples(tmp_path / "inbox", files=1, rows_per_file=(6, 6), seed=8)
    run_files(warehouse_url, [report.path], tmp_path)
    resaved = tmp_path / "resaved" / report.path.name
    resaved.parent.mkdir()
    wb = openpyxl.load_workbook(report.path)
    wb.properties.creator = "Another clerk"  # different bytes, same table
    wb.save(resaved)
    assert resaved.read_bytes() != report.path.read_bytes()

    (outcome,) = run_files(warehouse_url, [resaved], tmp_path)

    assert outcome.status == "skipped_duplicate"
    assert outcome.reason_code == "file.duplicate_content"
    assert count(warehouse(warehouse_url), "fct_recognition") == len(report.rows)


def test_a_new_file_for_the_same_unit_and_period_supersedes_the_old_one(
    warehouse_url: str, tmp_path: Path
) -> None:
    (report,) = write_samples(tmp_path / "inbox", files=1, rows_per_file=(6, 6), seed=21)
    run_files(warehouse_url, [report.path], tmp_path)
    # The district removes its last product and sends the corrected file again.
    removed = report.rows[-1]
    corrected = tmp_path / "v2" / report.path.name
    corrected.parent.mkdir()
    wb = openpyxl.load_workbook(report.path)
    wb[removed.source_sheet].delete_rows(removed.source_row)
    wb.save(corrected)

    (outcome,) = run_files(warehouse_url, [corrected], tmp_path)

    assert outcome.status == "loaded"
    assert len(outcome.superseded_file_ids) == 1
    engine = warehouse(warehouse_url)
    current = rows(engine, "SELECT product_name FROM ocop_recognition WHERE is_current")
    history = rows(engine, "SELECT product_name FROM ocop_recognition WHERE NOT is_current")
    assert len(current) == len(report.rows) - 1
    assert removed.product_name not in {r["product_name"] for r in current}
    assert len(history) == len(report.rows)  # the old submission stays queryable
    products = rows(engine, "SELECT product_name FROM ocop_product_current")
    assert removed.product_name not in {r["product_name"] for r in products}
    statuses = {r["status"] for r in rows(engine, "SELECT status FROM etl_file_status")}
    assert statuses == {"loaded", "superseded"}


def test_a_failure_half_way_through_a_load_leaves_nothing_behind(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (report,) = write_samples(
        tmp_path / "inbox", files=1, rows_per_file=(8, 8), seed=4, faults=True
    )
    real_issue_rows = loader.issue_rows

    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full while writing issues")  # after facts were inserted

    monkeypatch.setattr(loader, "issue_rows", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        run_files(warehouse_url, [report.path], tmp_path)
    engine = warehouse(warehouse_url)
    assert {t: count(engine, t) for t in TABLES} == dict.fromkeys(TABLES, 0)
    assert rows(engine, "SELECT * FROM ledger_file WHERE status IN ('loaded', 'loading')") == []

    monkeypatch.setattr(loader, "issue_rows", real_issue_rows)
    (outcome,) = run_files(warehouse_url, [report.path], tmp_path)
    assert outcome.status == "loaded"
    assert count(engine, "fct_recognition") == outcome.rows_loaded > 0


def test_a_forced_reload_of_loaded_bytes_replaces_the_earlier_load(warehouse_url: str, tmp_path: Path) -> None:
    (report,) = write_samples(tmp_path / "inbox", files=1, rows_per_file=(5, 5), seed=30)
    (first,) = run_files(warehouse_url, [report.path], tmp_path)

    (again,) = run_files(warehouse_url, [report.path], tmp_path, force=True)

    assert again.status == "loaded"
    assert again.superseded_file_ids == [first.file_id]
    engine = warehouse(warehouse_url)
    assert len(rows(engine, "SELECT 1 FROM ocop_recognition WHERE is_current")) == len(report.rows)
    assert len(rows(engine, "SELECT 1 FROM ocop_recognition WHERE NOT is_current")) == len(report.rows)
    # Without force the same bytes are still recognised and skipped.
    (third,) = run_files(warehouse_url, [report.path], tmp_path)
    assert third.status == "skipped_duplicate"


def test_a_resubmission_finds_the_load_it_replaces_by_index_not_by_reading_the_ledger(
    warehouse_url: str, tmp_path: Path
) -> None:
    # Every file asks which current load it supersedes (same bytes, or same unit and period),
    # under SQLite's write lock. Read by scanning the current loads, that cost grew with the
    # ledger: 0.30 ms a file at 700 files, linearly more after a national eight-year backfill.
    from datetime import UTC, datetime

    from sqlalchemy import text

    engine = warehouse(warehouse_url)
    load_id = ledger.start_load(engine, source="test", flow_run_id=None)
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ledger_file (load_id, source_path, source_file, byte_sha256,"
                " size_bytes, received_at, processed_at, status, submission_key)"
                " VALUES (:load, :path, :path, :sha, 1, :now, :now, 'loaded', :key)"
            ),
            [
                {
                    "load": load_id,
                    "path": f"f{n}.xlsx",
                    "sha": f"{n:064}",
                    "now": now,
                    "key": f"{n % 63}|{n}|2020|-",
                }
                for n in range(3000)
            ],
        )
        conn.execute(text("ANALYZE"))
    reports = write_samples(tmp_path / "inbox", files=1, rows_per_file=(3, 5), seed=8)

    def superseding(statement: str) -> bool:
        return statement.startswith("UPDATE ledger_file") and "superseded" in statement

    with statements_sent(engine, superseding) as sent:
        assert [o.status for o in run_files(warehouse_url, [reports[0].path], tmp_path)] == [
            "loaded"
        ]

    assert sent
    with engine.connect() as conn:
        for statement, parameters in sent:
            plan = query_plan(conn, statement, parameters)
            if engine.dialect.name == "postgresql":
                assert not [line for line in plan if "Seq Scan on ledger_file" in line], plan
            else:
                assert not [line for line in plan if line.startswith("SCAN")], plan
                assert [line for line in plan if "uq_ledger_file_loaded_bytes" in line], plan
