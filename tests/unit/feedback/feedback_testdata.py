"""Test data for feedback tests: a small district-style workbook and the issues found in it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment

from ocop_etl.issues import Issue, make_issue

SHEET = "Huyện Quảng Điền"
SOURCE_NAME = "bao_cao_ocop_2023.xlsx"
HEADER_CELLS = {
    (SHEET, "seq"): "A",
    (SHEET, "product_name"): "B",
    (SHEET, "producer"): "C",
    (SHEET, "commune"): "D",
    (SHEET, "score"): "E",
    (SHEET, "stars"): "F",
}
HYPERLINK = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'
FORMULA_LOOKING = (HYPERLINK, "+1", "-2", "@SUM(A1)")


def _text(ws, ref: str, value: str) -> None:
    """Store ``value`` as a text cell even when it starts with '=' (as a district file may)."""
    ws[ref] = value
    ws[ref].data_type = "s"


def build_district_xlsx(tmp_path: Path) -> Path:
    """Title block, header on row 4 (stars header written "Xếp hạng"), products on rows 5-12."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "UBND HUYỆN QUẢNG ĐIỀN"
    ws["A2"] = "DANH SÁCH SẢN PHẨM OCOP NĂM 2023"
    ws.merge_cells("A2:G2")
    for c, header in enumerate(
        ["STT", "Tên sản phẩm", "Chủ thể", "Xã", "Số điểm", "Xếp hạng", "Ghi chú"], start=1
    ):
        ws.cell(row=4, column=c, value=header)
    for i, r in enumerate(range(5, 13), start=1):
        ws.cell(row=r, column=1, value=i)
        ws.cell(row=r, column=2, value=f"Sản phẩm {i}")
        ws.cell(row=r, column=3, value=f"HTX số {i}")
        ws.cell(row=r, column=4, value="Xã Quảng Phú")
        ws.cell(row=r, column=5, value=72.5)
        ws.cell(row=r, column=6, value="4 sao")
    _text(ws, "E7", "-2")
    _text(ws, "D8", "@SUM(A1)")
    ws["C9"] = None
    ws["F10"] = "7 sao"
    _text(ws, "F12", HYPERLINK)
    _text(ws, "G12", "+1")
    ws["F12"].comment = Comment("ghi chú của huyện", "Cán bộ huyện")
    wb.create_sheet("Tổng hợp")["A1"] = "Không có dữ liệu"
    path = tmp_path / SOURCE_NAME
    wb.save(path)
    return path


def issue(code: str, row: int | None, column: str | None, value: object = None, **ctx) -> Issue:
    return make_issue(
        code,
        source_file=SOURCE_NAME,
        source_sheet=SHEET if row is not None else None,
        source_row=row,
        column=column,
        value=value,
        **ctx,
    )


def build_row_issues() -> list[Issue]:
    return [
        issue("star.unparseable", 12, "stars", HYPERLINK),
        issue("score.unparseable", 7, "score", "-2"),
        issue("unit.unresolved", 8, "commune", "@SUM(A1)", candidates="", candidates_vi=""),
        issue("producer.missing", 9, "producer"),
        issue("star.out_of_range", 10, "stars", "7"),
        issue("star.below_certification", 10, "stars", "2"),
        issue("product.duplicate_in_file", 11, None, first_row=5),
        issue("date.unparseable", 5, "decision_date", "+1"),
    ]
