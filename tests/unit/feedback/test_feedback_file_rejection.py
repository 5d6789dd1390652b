"""Whole-file rejections and non-xlsx sources: the explanation sheet and the value copy."""

from __future__ import annotations

from pathlib import Path

import xlwt
from openpyxl import load_workbook

from ocop_etl.feedback import write_feedback
from ocop_etl.feedback.explanation import EXPLANATION_TITLE
from ocop_etl.feedback.issue_list import ISSUE_LIST_TITLE
from ocop_etl.feedback.marks import ERROR_COLOUR
from ocop_etl.issues import make_issue
from tests.unit.feedback.feedback_testdata import SHEET


def _sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_readable_file_rejected_whole_gets_explanation_and_originals(
    district_xlsx: Path, tmp_path: Path
) -> None:
    rejection = make_issue("file.no_ocop_table", source_file=district_xlsx.name)
    out = write_feedback(district_xlsx, [rejection], tmp_path)
    wb = load_workbook(out)
    assert wb.sheetnames == [EXPLANATION_TITLE, ISSUE_LIST_TITLE, SHEET, "Tổng hợp"]
    assert wb.active.title == EXPLANATION_TITLE
    text = _sheet_text(wb[EXPLANATION_TITLE])
    assert "TỆP BÁO CÁO CHƯA ĐƯỢC TIẾP NHẬN" in text
    assert "Không tìm thấy bảng kết quả OCOP" in text
    assert "file.no_ocop_table" in text
    assert "ocop-etl template" in text
    assert "Cần làm gì" in text
    assert wb[EXPLANATION_TITLE].page_setup.fitToHeight == 1
    listed = wb[ISSUE_LIST_TITLE]
    assert listed["F2"].value == "Loại cả tệp"
    assert listed["B2"].value is None  # no cell for a whole-file issue


def test_unreadable_file_gets_new_workbook(tmp_path: Path) -> None:
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    rejection = make_issue("file.unreadable", source_file=broken.name, detail="BadZipFile")
    out = write_feedback(broken, [rejection], tmp_path / "out")
    wb = load_workbook(out)
    assert wb.sheetnames == [EXPLANATION_TITLE, ISSUE_LIST_TITLE]
    assert "Không đọc được tệp" in _sheet_text(wb[EXPLANATION_TITLE])


def test_garbage_without_file_issue_still_gets_issue_list(tmp_path: Path) -> None:
    broken = tmp_path / "rac.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    out = write_feedback(broken, [], tmp_path / "out")
    assert load_workbook(out).sheetnames == [ISSUE_LIST_TITLE]


def test_xls_values_are_copied_and_annotated(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("DS")
    # Row 1 left empty on purpose: row numbers must still match the original file.
    for c, header in enumerate(["STT", "Tên sản phẩm", "Hạng sao"]):
        sheet.write(1, c, header)
    sheet.write(2, 0, 1)
    sheet.write(2, 1, "Mật ong rừng")
    sheet.write(2, 2, "=bốn sao")
    source = tmp_path / "huyen.xls"
    book.save(str(source))
    issue = make_issue(
        "star.unparseable", source_file=source.name, source_sheet="DS", source_row=3,
        column="stars", value="=bốn sao",
    )
    out = write_feedback(
        source, [issue], tmp_path / "out", header_cells={("DS", "stars"): "C"}
    )
    assert out.name == "huyen.loi.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == [ISSUE_LIST_TITLE, "DS"]
    ws = wb["DS"]
    assert ws["B3"].value == "Mật ong rừng"
    assert ws["C3"].value == "=bốn sao" and ws["C3"].data_type == "s"
    assert str(ws["C3"].fill.fgColor.rgb).endswith(ERROR_COLOUR)
    assert "Không hiểu được hạng sao" in ws["C3"].comment.text
    assert wb[ISSUE_LIST_TITLE]["D2"].value == "Hạng sao"
