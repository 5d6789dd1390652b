"""Generated district reports go in; exactly the rows the generator wrote come out.

Runs on the embedded SQLite warehouse and on the real PostgreSQL server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import count, rows, run_files, warehouse

pytestmark = pytest.mark.integration


def test_loaded_rows_match_what_the_generator_wrote(warehouse_url: str, tmp_path: Path) -> None:
    reports = write_samples(tmp_path / "inbox", files=6, rows_per_file=(5, 14), seed=11)
    outcomes = run_files(warehouse_url, [r.path for r in reports], tmp_path)

    assert [o.status for o in outcomes] == ["loaded"] * len(reports)
    engine = warehouse(warehouse_url)
    loaded = rows(engine, "SELECT * FROM ocop_recognition")
    expected = {(r.path.name, e.source_sheet, e.source_row): e for r in reports for e in r.rows}
    got = {(x["source_file"], x["source_sheet"], x["source_row"]): x for x in loaded}
    assert set(got) == set(expected)
    for key, exp in expected.items():
        row = got[key]
        assert row["product_name"] == exp.product_name, key
        assert row["producer_name"] == exp.producer, key
        assert row["stars"] == exp.stars, key
        assert bool(row["is_potential_5_star"]) == exp.is_potential_5_star, key
        if exp.score is None:
            assert row["score"] is None, key
        else:
            assert row["score"] == pytest.approx(exp.score), key
        assert row["province_name"] == exp.province, key
        assert row["district_name"] == exp.district, key
        assert row["commune_name"] == exp.commune, key
        assert row["evaluation_year"] == exp.year, key
        assert row["decision_no"] == exp.decision_no, key
        assert _as_date(row["decision_date"]) == exp.decision_date, key
        assert bool(row["is_current"]) is True
    assert sum(o.rows_loaded for o in outcomes) == len(expected)
    # A fact's producer_id has no foreign key of its own: it is its product's producer.
    pairs = rows(
        engine,
        "SELECT f.producer_id AS fact, p.producer_id AS product, d.producer_id AS known"
        " FROM fct_recognition f JOIN dim_product p ON p.product_id = f.product_id"
        " LEFT JOIN dim_producer d ON d.producer_id = f.producer_id",
    )
    assert all(r["fact"] == r["product"] == r["known"] for r in pairs)
    assert len(pairs) == len(expected) and all(r["fact"] is not None for r in pairs)


def _as_date(value: object) -> object:
    from datetime import date, datetime

    if isinstance(value, str):  # SQLite returns dates from views as text
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    return value


def test_faulty_rows_are_rejected_with_their_codes_and_the_rest_loads(
    warehouse_url: str, tmp_path: Path
) -> None:
    reports = write_samples(
        tmp_path / "inbox", files=3, rows_per_file=(12, 20), seed=5, faults=True
    )
    outcomes = run_files(warehouse_url, [r.path for r in reports], tmp_path)
    engine = warehouse(warehouse_url)

    faulty = [(r.path.name, e) for r in reports for e in r.rows if e.expected_issue]
    assert faulty, "the generator should have planted faults"
    rejected = {
        (x["source_file"], x["source_row"], x["issue_code"])
        for x in rows(engine, "SELECT * FROM etl_rejected_row")
    }
    issues = {
        (x["source_file"], x["source_row"], x["code"])
        for x in rows(
            engine,
            "SELECT f.source_file, i.source_row, i.code FROM dq_issue i "
            "JOIN ledger_file f ON f.file_id = i.file_id",
        )
    }
    loaded = {
        (x["source_file"], x["source_row"]) for x in rows(engine, "SELECT * FROM ocop_recognition")
    }
    for name, exp in faulty:
        assert (name, exp.source_row, exp.expected_issue) in issues, (name, exp)
        is_error = exp.expected_issue in {
            "star.out_of_range",
            "product.name_missing",
            "score.out_of_range",
        }
        assert ((name, exp.source_row, exp.expected_issue) in rejected) is is_error
        assert ((name, exp.source_row) in loaded) is (not is_error)
    clean = [(r.path.name, e.source_row) for r in reports for e in r.rows if not e.expected_issue]
    assert set(clean) <= loaded
    assert sum(o.rows_rejected for o in outcomes) == count(engine, "dq_rejected_row")


def test_each_problem_is_reported_once_per_row(sqlite_url: str, tmp_path: Path) -> None:
    reports = write_samples(tmp_path / "inbox", files=2, rows_per_file=(10, 12), seed=5, faults=True)
    run_files(sqlite_url, [r.path for r in reports], tmp_path)
    engine = warehouse(sqlite_url)
    dupes = rows(engine, "SELECT file_id, source_row, code, COUNT(*) AS n FROM dq_issue "
                         "GROUP BY file_id, source_row, code HAVING COUNT(*) > 1")
    assert dupes == []
    planted = sum(1 for r in reports for e in r.rows if e.expected_issue)
    assert count(engine, "dq_issue") >= planted
