"""Feedback reaches the district's own cells; the official template round-trips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ocop_etl.feedback.template import TEMPLATE_VERSION, write_template
from ocop_etl.pipeline import RunOptions, check_file_outcome
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import rows, run_files, warehouse

pytestmark = pytest.mark.integration

ERROR_FILL = "FFC7CE"


def test_the_feedback_workbook_marks_the_offending_cell_itself(sqlite_url: str, tmp_path: Path) -> None:
    reports = write_samples(tmp_path / "inbox", files=2, rows_per_file=(10, 12), seed=5, faults=True)
    outcomes = run_files(sqlite_url, [r.path for r in reports], tmp_path)

    for report, outcome in zip(reports, outcomes, strict=True):
        assert outcome.feedback_path, report.path.name
        book = openpyxl.load_workbook(outcome.feedback_path)
        assert book.sheetnames[0] == "Danh sách lỗi"
        for exp in (e for e in report.rows if e.expected_issue == "star.out_of_range"):
            sheet = book[exp.source_sheet]
            # The star cell of that row holds the bad value, is filled red and commented.
            cells = [c for c in sheet[exp.source_row] if c.comment is not None]
            assert cells, (report.path.name, exp.source_row)
            star_cells = [c for c in cells if "13" in str(c.value)]
            assert star_cells, [(c.coordinate, c.value) for c in cells]
            cell = star_cells[0]
            assert cell.fill.fgColor.rgb.endswith(ERROR_FILL)
            assert "Hạng sao" in cell.comment.text or "hạng sao" in cell.comment.text
        listed = [r for r in book["Danh sách lỗi"].iter_rows(min_row=2, values_only=True) if any(r)]
        issues = rows(warehouse(sqlite_url), "SELECT COUNT(*) AS n FROM dq_issue WHERE file_id = :f",
                      f=outcome.file_id)[0]["n"]
        assert len(listed) >= issues


def _fill_template(path: Path) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "STT")
    headers = {sheet.cell(header_row, c).value: c for c in range(1, sheet.max_column + 1)}
    filled = [
        {"Tên sản phẩm": 'Gạo "Cái quạt mo"', "Chủ thể": "HTX Nông nghiệp Thanh niên Thăng Bình",
         "Loại hình chủ thể": "Hợp tác xã", "Xã": "Thị trấn Hà Lam", "Huyện": "Huyện Thăng Bình",
         "Tỉnh": "Quảng Nam", "Nhóm sản phẩm": "Thực phẩm", "Số điểm": 72.5,
         "Hạng sao": "4 sao", "Số quyết định": "3610/QĐ-UBND", "Ngày quyết định": date(2022, 12, 29)},
        {"Tên sản phẩm": "Tượng trầm Tâm Linh", "Chủ thể": "Cơ sở kinh doanh Trầm hương Tường Vi",
         "Loại hình chủ thể": "Cơ sở sản xuất", "Xã": "Xã Quế Trung", "Huyện": "Huyện Nông Sơn",
         "Tỉnh": "Quảng Nam", "Nhóm sản phẩm": "Lưu niệm - nội thất - trang trí", "Số điểm": 64,
         "Hạng sao": "3 sao", "Số quyết định": "3610/QĐ-UBND", "Ngày quyết định": date(2022, 12, 29)},
    ]
    for i, values in enumerate(filled):
        row = header_row + 1 + i
        sheet.cell(row, headers["STT"], i + 1)
        for header, value in values.items():
            sheet.cell(row, headers[header], value)
    book.save(path)
    return filled


def test_a_correctly_filled_template_validates_clean_and_loads_exactly(
    warehouse_url: str, tmp_path: Path
) -> None:
    path = write_template(tmp_path / "in" / "mau_2022.xlsx", period=2022, province="Quảng Nam")
    filled = _fill_template(path)

    outcome, issues = check_file_outcome(path, RunOptions(engine=None, archive_dir=None,
                                                          feedback_dir=tmp_path / "fb"))
    assert issues == [], [(i.code, i.source_row, i.value) for i in issues]
    assert outcome.rows_total == len(filled)

    (loaded,) = run_files(warehouse_url, [path], tmp_path)
    assert loaded.status == "loaded"
    engine = warehouse(warehouse_url)
    got = rows(engine, "SELECT product_name, producer_name, stars, score, district_name, "
                       "commune_name, decision_no, product_group_code FROM ocop_recognition "
                       "ORDER BY source_row")
    assert [(g["product_name"], g["producer_name"], g["stars"], g["score"]) for g in got] == [
        (f["Tên sản phẩm"], f["Chủ thể"], int(str(f["Hạng sao"])[0]), float(f["Số điểm"]))  # type: ignore[arg-type]
        for f in filled
    ]
    # Nông Sơn (merged into Quế Sơn later) is the report's own, historical district now.
    assert [g["district_name"] for g in got] == ["Thăng Bình", "Nông Sơn"]
    assert {g["decision_no"] for g in got} == {"3610/QĐ-UBND"}
    assert [g["product_group_code"] for g in got] == ["1", "5"]  # 1048/QĐ-TTg sectors in 2022
    (ledger_row,) = rows(engine, "SELECT template_version FROM ledger_file")
    assert ledger_row["template_version"] == TEMPLATE_VERSION
