"""write_feedback: the annotated copy of the district's own workbook."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ocop_etl.errors import StorageError
from ocop_etl.feedback import write_feedback
from ocop_etl.feedback.issue_list import COLUMNS, ISSUE_LIST_TITLE, MAX_VALUE_CHARS
from ocop_etl.feedback.marks import (
    ERROR_COLOUR,
    REJECTED_ROW_COLOUR,
    REJECTED_ROW_NOTE,
    WARNING_COLOUR,
)
from tests.unit.feedback.feedback_testdata import (
    FORMULA_LOOKING,
    HEADER_CELLS,
    HYPERLINK,
    SHEET,
    SOURCE_NAME,
    issue,
)


def _fill(cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def _list_rows(wb) -> list[dict[str, object]]:
    ws = wb[ISSUE_LIST_TITLE]
    titles = [c.value for c in ws[1]]
    return [dict(zip(titles, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


@pytest.fixture
def feedback(district_xlsx: Path, row_issues, tmp_path: Path):
    out = write_feedback(
        district_xlsx,
        row_issues,
        tmp_path / "out",
        header_cells=HEADER_CELLS,
        rejected_rows=[(SHEET, 6)],
    )
    return out, load_workbook(out)


def test_output_name_and_issue_list_first(feedback) -> None:
    out, wb = feedback
    assert out.name == "bao_cao_ocop_2023.loi.xlsx"
    assert wb.sheetnames == [ISSUE_LIST_TITLE, SHEET, "Tổng hợp"]
    assert wb.active.title == ISSUE_LIST_TITLE
    ws = wb[ISSUE_LIST_TITLE]
    assert [c.value for c in ws[1]] == [title for title, _w in COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H9"
    assert ws.column_dimensions["H"].width >= 60


def test_issue_list_has_every_issue_with_cell_refs(feedback, row_issues) -> None:
    _out, wb = feedback
    rows = _list_rows(wb)
    assert len(rows) == len(row_issues)
    by_code = {row["Mã lỗi"]: row for row in rows}
    star = by_code["star.unparseable"]
    assert (star["Trang tính"], star["Ô"], star["Dòng"]) == (SHEET, "F12", 12)
    assert star["Cột"] == "Xếp hạng"  # the header as the district wrote it
    assert star["Mức độ"] == "Lỗi"
    assert "Không hiểu được hạng sao" in star["Nội dung"]
    assert by_code["producer.missing"]["Ô"] == "C9"
    assert by_code["producer.missing"]["Mức độ"] == "Cảnh báo"
    assert by_code["unit.unresolved"]["Ô"] == "D8"
    # No known column: the row's first table cell, and the canonical Vietnamese label.
    assert by_code["product.duplicate_in_file"]["Ô"] == "A11"
    assert by_code["date.unparseable"]["Ô"] == "A5"
    assert by_code["date.unparseable"]["Cột"] == "Ngày quyết định"
    # Ordered as the file reads: by row.
    assert [row["Dòng"] for row in rows] == sorted(row["Dòng"] for row in rows)


def test_cells_are_highlighted_by_severity(feedback) -> None:
    _out, wb = feedback
    ws = wb[SHEET]
    assert _fill(ws["F12"]) == ERROR_COLOUR
    assert _fill(ws["E7"]) == ERROR_COLOUR
    assert _fill(ws["C9"]) == WARNING_COLOUR
    assert _fill(ws["D8"]) == WARNING_COLOUR
    assert ERROR_COLOUR != WARNING_COLOUR
    assert _fill(ws["F10"]) == ERROR_COLOUR  # error + warning on one cell: the error wins
    assert ws["B5"].fill.fill_type is None  # untouched cells keep their look


def test_comments_are_vietnamese_and_merged_per_cell(feedback) -> None:
    _out, wb = feedback
    ws = wb[SHEET]
    assert ws["C9"].comment.text.startswith("Cảnh báo: Thiếu tên chủ thể sản xuất.")
    assert REJECTED_ROW_NOTE not in ws["C9"].comment.text  # a warning does not reject the row
    both = ws["F10"].comment.text
    assert "1. Lỗi: Hạng sao 7 không hợp lệ" in both
    assert "2. Cảnh báo: Hạng 2 sao thấp hơn mức công nhận" in both
    # The district's own comment is kept below ours.
    f12 = ws["F12"].comment.text
    assert f12.startswith("Lỗi: Không hiểu được hạng sao")
    assert "ghi chú của huyện" in f12


def test_rejected_rows_are_marked_on_their_first_cell(feedback) -> None:
    _out, wb = feedback
    ws = wb[SHEET]
    # Row 6: rejected by the caller without a located issue: pale red marker + note.
    assert _fill(ws["A6"]) == REJECTED_ROW_COLOUR
    assert ws["A6"].comment.text == REJECTED_ROW_NOTE
    # Row 11: the issue itself sits on the first cell; one comment says both.
    a11 = ws["A11"].comment.text
    assert "Sản phẩm này (cùng chủ thể) đã có ở dòng 5" in a11
    assert REJECTED_ROW_NOTE in a11
    assert _fill(ws["A11"]) == ERROR_COLOUR
    # Row 12: error in F12, so A12 carries the rejection marker.
    assert REJECTED_ROW_NOTE in ws["A12"].comment.text
    # Row 9 only has a warning: not rejected.
    assert ws["A9"].comment is None


def test_formula_looking_text_stays_text(feedback) -> None:
    out, wb = feedback
    values = {row["Mã lỗi"]: row["Giá trị"] for row in _list_rows(wb)}
    assert values["star.unparseable"] == HYPERLINK
    assert values["score.unparseable"] == "-2"
    assert values["unit.unresolved"] == "@SUM(A1)"
    assert values["date.unparseable"] == "+1"
    ws = wb[ISSUE_LIST_TITLE]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        value_cell = row[4]
        if value_cell.value in FORMULA_LOOKING:
            assert value_cell.data_type == "s"
            assert value_cell.quotePrefix
            seen.add(value_cell.value)
    assert seen == set(FORMULA_LOOKING)
    # The district's own text cells too, and nothing anywhere was stored as a formula.
    district = wb[SHEET]
    assert district["F12"].value == HYPERLINK and district["F12"].data_type == "s"
    assert district["F12"].quotePrefix
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)


def test_long_values_are_capped_and_control_characters_dropped(district_xlsx, tmp_path) -> None:
    long_value = "x" * 5_000
    issues = [
        issue("star.unparseable", 5, "stars", long_value),
        issue("star.unparseable", 6, "stars", "bốn\x00\x0bsao"),
    ]
    out = write_feedback(district_xlsx, issues, tmp_path, header_cells=HEADER_CELLS)
    values = [row["Giá trị"] for row in _list_rows(load_workbook(out))]
    assert len(values[0]) == MAX_VALUE_CHARS and values[0].endswith("…")
    assert values[1] == "bốnsao"


def test_display_name_is_sanitised(district_xlsx, tmp_path) -> None:
    out_dir = tmp_path / "out"
    out = write_feedback(
        district_xlsx, [], out_dir, display_name="../../khac/Báo cáo:2023?\x07.xlsx"
    )
    assert out.parent == out_dir
    assert out.name == "Báo cáo_2023__.loi.xlsx"
    assert load_workbook(out).sheetnames[0] == ISSUE_LIST_TITLE


def test_archived_file_without_extension_is_still_reopened(district_xlsx, tmp_path) -> None:
    archived = tmp_path / "3fa9c0de"  # archive stores files by content hash
    archived.write_bytes(district_xlsx.read_bytes())
    out = write_feedback(
        archived, [issue("producer.missing", 9, "producer")], tmp_path / "out",
        header_cells=HEADER_CELLS, display_name=SOURCE_NAME,
    )
    wb = load_workbook(out)
    assert out.name == "bao_cao_ocop_2023.loi.xlsx"
    assert _fill(wb[SHEET]["C9"]) == WARNING_COLOUR


def test_unwritable_output_raises_storage_error(district_xlsx, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        write_feedback(district_xlsx, [], blocker)


def test_resent_feedback_replaces_old_feedback(district_xlsx, row_issues, tmp_path) -> None:
    first = write_feedback(
        district_xlsx, row_issues, tmp_path / "r1", header_cells=HEADER_CELLS
    )
    # The officer fixed everything except the missing producer and sends the .loi.xlsx back.
    second = write_feedback(
        first, [issue("producer.missing", 9, "producer")], tmp_path / "r2",
        header_cells=HEADER_CELLS, display_name=SOURCE_NAME,
    )
    wb = load_workbook(second)
    assert wb.sheetnames == [ISSUE_LIST_TITLE, SHEET, "Tổng hợp"]
    assert len(_list_rows(wb)) == 1
    ws = wb[SHEET]
    assert ws["E7"].comment is None and ws["E7"].fill.fill_type is None
    assert _fill(ws["C9"]) == WARNING_COLOUR
    # The district's own note survives the round trip, without our stale text.
    assert ws["F12"].comment.text == "ghi chú của huyện"
