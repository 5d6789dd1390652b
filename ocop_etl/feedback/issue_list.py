"""The "Danh sách lỗi" sheet: every issue of the file, one per line, sortable and filterable.

It comes first in the feedback workbook because it is the officer's to-do list; the highlighted
cells are where each item is fixed. Every text copied from the district (sheet names, values,
messages quoting values) goes through ``write_text`` so it can never run as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.utils.cell import quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ocop_etl.feedback.cell_locator import CellLocator
from ocop_etl.feedback.marks import (
    HEADER_FILL,
    HEADER_FONT,
    SEVERITY_RANK,
    SEVERITY_VI,
    WRAP_TOP,
)
from ocop_etl.feedback.safe_text import write_text
from ocop_etl.issues import Issue

ISSUE_LIST_TITLE = "Danh sách lỗi"
# A pasted paragraph in a cell would make the list unreadable; the full text stays in the file.
MAX_VALUE_CHARS = 1_000

COLUMNS: tuple[tuple[str, int], ...] = (
    ("Trang tính", 18),
    ("Ô", 8),
    ("Dòng", 7),
    ("Cột", 22),
    ("Giá trị", 30),
    ("Mức độ", 12),
    ("Mã lỗi", 26),
    ("Nội dung", 90),
)


def ordered_issues(issues: Sequence[Issue], sheet_order: Sequence[str]) -> list[Issue]:
    """File-level issues first, then by sheet (workbook order), row, severity.

    Officers fix a file top to bottom, so the list follows the file rather than the codes.
    """
    position = {name: i for i, name in enumerate(sheet_order)}
    for issue in issues:
        if issue.source_sheet is not None and issue.source_sheet not in position:
            position[issue.source_sheet] = len(position)

    def key(issue: Issue) -> tuple[int, int, int, int]:
        sheet = -1 if issue.source_sheet is None else position[issue.source_sheet]
        return (
            0 if issue.severity == "file" else 1,
            sheet,
            issue.source_row or 0,
            SEVERITY_RANK[issue.severity],
        )

    return sorted(issues, key=key)


def add_issue_list(
    workbook: Workbook, issues: Sequence[Issue], locator: CellLocator, *, index: int = 0
) -> Worksheet:
    """Insert the issue-list sheet at ``index`` and fill it."""
    ws = workbook.create_sheet(title=ISSUE_LIST_TITLE, index=index)
    for col, (title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width

    existing = set(workbook.sheetnames)
    for r, issue in enumerate(ordered_issues(issues, workbook.sheetnames), start=2):
        target = locator.locate(issue)
        write_text(ws.cell(row=r, column=1), issue.source_sheet)
        ref_cell = ws.cell(row=r, column=2)
        if target is not None:
            write_text(ref_cell, target.ref)
            if target.sheet in existing and target.sheet != ISSUE_LIST_TITLE:
                # An in-workbook jump to the cell: safe (no external target) and saves scrolling.
                ref_cell.hyperlink = Hyperlink(
                    ref=ref_cell.coordinate,
                    location=f"{quote_sheetname(target.sheet)}!{target.ref}",
                )
        if issue.source_row is not None:
            ws.cell(row=r, column=3, value=int(issue.source_row))
        write_text(ws.cell(row=r, column=4), locator.column_title(issue) or None)
        write_text(ws.cell(row=r, column=5), issue.value, limit=MAX_VALUE_CHARS)
        write_text(ws.cell(row=r, column=6), SEVERITY_VI[issue.severity])
        write_text(ws.cell(row=r, column=7), issue.code)
        message = ws.cell(row=r, column=8)
        write_text(message, issue.message_vi)
        message.alignment = WRAP_TOP
        ws.cell(row=r, column=5).alignment = WRAP_TOP

    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(len(issues) + 1, 1)}"
    ws.sheet_properties.tabColor = "C00000"
    return ws
