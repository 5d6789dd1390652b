"""Tests of the sample report generator: determinism, ground truth, layouts, units, faults."""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from vietnamadminunits.database import query

from ocop_etl.samples import ExpectedRow, SampleReport, write_samples
from ocop_etl.samples.faults import ERROR_CODES, FAULT_CODES
from ocop_etl.samples.generator import _slots

ALIASES_CSV = Path(__file__).parents[3] / "ocop_etl" / "extract" / "column_aliases.csv"
REAL_CSV = Path(__file__).parents[3] / "ocop_etl" / "samples" / "real_ocop_rows.csv"
GROUP_LABELS = {"Địa chỉ", "Kết quả phân hạng"}  # parents of merged two-row headers
SEQ_LABELS = {"STT", "TT", "Số TT", "Số thứ tự"}
COMMA_SCORE = re.compile(r"^\d{1,3},\d{1,2}$")
COMBINED_DECISION = re.compile(r"^(QĐ số |Quyết định số )?\d+/QĐ-UBND ngày \d{1,2}/\d{1,2}/\d{4}$")
NUMBERED = re.compile(r"^\(\d+\)$")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[SampleReport]:
    return write_samples(tmp_path_factory.mktemp("clean"), files=12, seed=2024)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> list[SampleReport]:
    return write_samples(tmp_path_factory.mktemp("faulty"), files=12, seed=7, faults=True)


def _sheet(report: SampleReport) -> Any:
    wb = openpyxl.load_workbook(report.path)
    assert len(wb.sheetnames) == 1
    return wb[report.rows[0].source_sheet]


def _values(ws: Any) -> list[list[Any]]:
    """Cell values by row; index 0 is Excel row 1."""
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _header_rows(ws: Any, report: SampleReport) -> list[list[Any]]:
    """The header row(s): from the row whose first cell is an STT label to the first data row."""
    values = _values(ws)
    first_data = report.rows[0].source_row - 1
    start = max(i for i in range(first_data) if values[i] and values[i][0] in SEQ_LABELS)
    return [r for r in values[start:first_data]
            if not all(v is None or NUMBERED.match(str(v)) for v in r)]


# --- determinism and sizes ----------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = write_samples(tmp_path / "a", files=6, seed=11)
    b = write_samples(tmp_path / "b", files=6, seed=11)
    c = write_samples(tmp_path / "c", files=6, seed=12)
    assert [r.path.relative_to(tmp_path / "a") for r in a] == \
        [r.path.relative_to(tmp_path / "b") for r in b]
    for ra, rb in zip(a, b, strict=True):
        assert ra.path.read_bytes() == rb.path.read_bytes()
        assert ra.rows == rb.rows
    assert [r.path.read_bytes() for r in a] != [r.path.read_bytes() for r in c]


def test_sizes_respected(tmp_path: Path) -> None:
    out = write_samples(tmp_path, files=5, rows_per_file=(3, 7), seed=1)
    assert len(out) == 5 and len({r.path for r in out}) == 5
    assert all(3 <= len(r.rows) <= 7 for r in out)
    exact = write_samples(tmp_path / "x", files=2, rows_per_file=(20, 20), seed=1)
    assert [len(r.rows) for r in exact] == [20, 20]
    assert write_samples(tmp_path / "none", files=0) == []


def test_invalid_arguments_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_samples(tmp_path, rows_per_file=(5, 2))
    with pytest.raises(ValueError):
        write_samples(tmp_path, years=())


def test_slots_scale_past_core_provinces_without_repeats() -> None:
    # Benchmarks ask for up to 2,800 files; the real-row provinces alone hold fewer slots.
    slots = list(_slots(2800, (2020, 2021, 2022, 2023, 2024), random.Random(3)))
    keys = [(d.province, d.name, y, r) for d, y, r in slots]
    assert len(keys) == 2800 == len(set(keys))


def test_paths_look_like_an_inbox(reports: list[SampleReport]) -> None:
    for r in reports:
        rel = r.path.relative_to(r.path.parents[2])
        assert rel.as_posix().isascii()
        _province, district, name = rel.parts
        suffix = f"_dot{r.round}" if r.round else ""
        assert name == f"{district}_{r.year}{suffix}.xlsx"
        assert r.province and r.district


# --- ground truth matches the cells -------------------------------------------------------


def test_source_rows_point_at_product_names(reports: list[SampleReport],
                                            faulty: list[SampleReport]) -> None:
    for report in [*reports, *faulty]:
        values = _values(_sheet(report))
        for seq, row in enumerate(report.rows, 1):
            cells = values[row.source_row - 1]
            assert seq in cells  # the STT cell of that row
            if row.product_name:
                assert row.product_name in cells
            else:
                assert row.expected_issue == "product.name_missing"
            if row.producer:
                assert row.producer in cells


def test_clean_rows_are_consistent(reports: list[SampleReport]) -> None:
    for report in reports:
        pairs = [(r.product_name, r.producer) for r in report.rows]
        assert len(pairs) == len(set(pairs))
        for r in report.rows:
            assert r.expected_issue is None and r.product_name and r.producer
            assert (r.province, r.district) == (report.province, report.district)
            assert r.year == report.year
            if r.is_potential_5_star:
                assert r.stars is None and r.score is not None and r.score >= 90
            else:
                assert r.stars in (3, 4)
                if r.score is not None:
                    low = {3: 50, 4: 70}[r.stars]
                    assert low <= r.score < low + 20
            if r.decision_date is not None:
                assert r.decision_date.year == r.year
                assert r.decision_no and re.fullmatch(r"\d+/QĐ-UBND", r.decision_no)


def test_real_names_come_first(reports: list[SampleReport]) -> None:
    with REAL_CSV.open(encoding="utf-8") as fh:
        real = {rec["product_name"] for rec in csv.DictReader(fh)}
    assert any(r.product_name in real for rep in reports for r in rep.rows)


def test_units_exist_in_vietnamadminunits(reports: list[SampleReport]) -> None:
    known = {(u["provinceShort"], u["districtShort"], u["wardShort"]) for u in query(
        "SELECT provinceShort, districtShort, wardShort FROM admin_units_legacy")}
    for report in reports:
        for r in report.rows:
            assert (r.province, r.district, r.commune) in known


def test_decision_is_written_where_truth_says(reports: list[SampleReport]) -> None:
    for report in reports:
        text = " ".join(str(v) for row in _values(_sheet(report)) for v in row if v is not None)
        for r in report.rows:
            if r.decision_no:
                assert r.decision_no in text


# --- layouts --------------------------------------------------------------------------------


def _features(report: SampleReport) -> set[str]:
    ws = _sheet(report)
    values = _values(ws)
    data_rows = {r.source_row for r in report.rows}
    found: set[str] = set()
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        if top in GROUP_LABELS and rng.max_col > rng.min_col:
            below = [ws.cell(rng.min_row + 1, c).value for c in range(rng.min_col, rng.max_col + 1)]
            if all(below):
                found.add("two_row_header")
    for i, row in enumerate(values, 1):
        for v in row:
            if isinstance(v, str):
                if v.startswith("Tổng") and i > max(data_rows):
                    found.add("totals")
                if v == "(Đã ký)":
                    found.add("signature")
                if i in data_rows and "★" in v:
                    found.add("black_star")
                if i in data_rows and COMMA_SCORE.match(v):
                    found.add("comma_score")
                if i in data_rows and COMBINED_DECISION.match(v):
                    found.add("combined_decision")
                if i in data_rows and "tiềm năng" in v.casefold():
                    found.add("potential")
                if v.startswith("(Kèm theo Quyết định"):
                    found.add("decision_in_title")
                if v == "(1)":
                    found.add("numbered_row")
            if isinstance(v, datetime) and i in data_rows:
                found.add("excel_date")
    return found


def test_twelve_files_cover_all_layout_features(reports: list[SampleReport]) -> None:
    found = set().union(*(_features(r) for r in reports))
    assert {"two_row_header", "totals", "signature", "black_star", "comma_score",
            "combined_decision", "potential", "decision_in_title", "numbered_row",
            "excel_date"} <= found


def test_four_files_cover_main_layouts(tmp_path: Path) -> None:
    found = set().union(*(_features(r) for r in write_samples(tmp_path, files=4, seed=99)))
    assert {"two_row_header", "totals", "signature", "comma_score", "combined_decision",
            "decision_in_title"} <= found


def test_headers_come_from_alias_table(reports: list[SampleReport]) -> None:
    with ALIASES_CSV.open(encoding="utf-8") as fh:
        aliases = {rec["alias"] for rec in csv.DictReader(fh)}
    seen: Counter[str] = Counter()
    for report in reports:
        for row in _header_rows(_sheet(report), report):
            for v in row:
                if v is not None:
                    assert v in aliases | GROUP_LABELS, v
                    seen[v] += 1
    assert len(seen) >= 12  # the spellings really vary across files


# --- faults ---------------------------------------------------------------------------------


def test_faults_marked_and_written(faulty: list[SampleReport]) -> None:
    codes: Counter[str] = Counter()
    for report in faulty:
        broken = [r for r in report.rows if r.expected_issue]
        assert len(broken) >= 2
        values = _values(_sheet(report))
        for r in broken:
            codes[r.expected_issue or ""] += 1
            cells = values[r.source_row - 1]
            _assert_fault_visible(r, cells)
    assert set(codes) == set(FAULT_CODES)


def _assert_fault_visible(r: ExpectedRow, cells: list[Any]) -> None:
    code = r.expected_issue
    if code == "star.out_of_range":
        assert r.stars in (6, 13, 14)
        assert any(v == r.stars or v in (f"{r.stars} sao", f"{r.stars} SAO", f"{r.stars}*",
                                         f"Hạng {r.stars} sao", f"Đạt {r.stars} sao")
                   for v in cells)
    elif code == "score.out_of_range":
        assert r.score is not None and r.score > 100
        assert any(v == r.score or (isinstance(v, str) and v.replace(",", ".") == f"{r.score:g}")
                   for v in cells)
    elif code == "star.score_band_mismatch":
        assert r.stars is not None and r.score is not None
        assert (r.stars == 4) == (r.score < 70)
    elif code == "producer.missing":
        assert r.producer is None
    elif code == "product.name_missing":
        assert r.product_name == ""
    assert code in FAULT_CODES
    assert (code in ERROR_CODES) == code.startswith(("star.out", "product.", "score."))


def test_fault_codes_match_issue_catalogue() -> None:
    # The ground truth must speak the pipeline's codes; this breaks if either side renames one.
    from ocop_etl.issues import CATALOGUE

    for code in FAULT_CODES:
        assert CATALOGUE[code].severity == ("error" if code in ERROR_CODES else "warning")
