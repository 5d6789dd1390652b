"""The workbook feedback is written into: a copy of the district's own file when possible.

Officers fix their errors fastest in their own layout, so an .xlsx/.xlsm is loaded with openpyxl
and kept as it is (macros are dropped: the copy is saved as .xlsx). .xls/.ods cannot be written
back, so their cell values are copied into a fresh workbook. Anything unreadable, too large or
rejected for being unreadable gives an empty workbook: the issue list alone is still useful.

The format is sniffed from the file's first bytes, not its name, because the archive stores
files by content hash and districts rename .xls files to .xlsx.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook as WorkbookType

from ocop_etl.extract.limits import LIMIT_CODES
from ocop_etl.feedback.marks import COMMENT_AUTHOR, OUR_COLOURS, PREVIOUS_NOTE_HEADING
from ocop_etl.feedback.safe_text import neutralise_cell, write_text
from ocop_etl.issues import Issue

log = logging.getLogger(__name__)

# Files rejected for these reasons are not opened again: it would fail the same way, or (too
# large) cost the memory the limit exists to protect.
# Files never reopened for the feedback copy: unreadable ones, and those rejected for their
# size or shape, where reopening would spend exactly what the read limit protects (a shared-
# string bomb becomes ~30 GB of XML when openpyxl saves the copy). The district then gets the
# issue list alone.
DO_NOT_OPEN = frozenset(
    {"file.unreadable", "file.password_protected", "file.unsupported_format"} | LIMIT_CODES
)
MAX_SOURCE_BYTES = 30 * 1024 * 1024
# Cap on cells copied from an .xls/.ods, so a sheet padded to a million rows stays cheap.
MAX_COPIED_CELLS = 500_000

# Custom document property marking a workbook as our feedback: when an officer corrects the
# feedback copy and sends it back, its old feedback sheets and notes are removed before new
# ones are added.
FEEDBACK_MARKER = "OCOP_FEEDBACK"

_INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CopiedValue = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def open_base_workbook(source_path: Path, issues: Sequence[Issue]) -> tuple[WorkbookType, bool]:
    """The workbook to annotate and whether it holds the district's sheets.

    Never raises for a bad district file: feedback must be produced precisely when the file is
    broken.
    """
    if any(issue.code in DO_NOT_OPEN for issue in issues):
        return Workbook(), False
    try:
        if source_path.stat().st_size > MAX_SOURCE_BYTES:
            return Workbook(), False
        with source_path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(_ZIP_MAGIC) and _is_ooxml_workbook(source_path):
            return _load_own_copy(source_path), True
        if head.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
            return _copy_values(source_path), True
    # A district file can break openpyxl/calamine in countless ways (bad XML, odd zips, parser
    # bugs); whatever the cause, fall back to an issue-list-only workbook.
    except Exception as exc:  # noqa: BLE001
        log.warning(
            "feedback: cannot reopen %s (%s); writing the issue list only", source_path, exc
        )
    return Workbook(), False


def _is_ooxml_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    return "xl/workbook.xml" in names


def _load_own_copy(path: Path) -> WorkbookType:
    with path.open("rb") as fh:
        # A file object, not the path: openpyxl refuses paths without an Excel extension.
        wb = load_workbook(fh, keep_vba=False, rich_text=False)
    _strip_previous_feedback(wb)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, Cell):
                    neutralise_cell(cell)
    return wb


def _copy_values(path: Path) -> WorkbookType:
    """Values of an .xls/.ods (anything calamine reads) in a new workbook, same sheets and cells."""
    from python_calamine import CalamineWorkbook

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    budget = MAX_COPIED_CELLS
    with CalamineWorkbook.from_path(str(path)) as source:
        for name in source.sheet_names:
            # ODS allows characters Excel forbids in sheet titles; issues then will not find
            # that sheet, but the other sheets are still copied and annotated.
            ws = wb.create_sheet(title=_INVALID_TITLE.sub("_", name)[:31] or None)
            # skip_empty_area=False keeps row 1 at row 1, so issue row numbers still match.
            rows = source.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for r, values in enumerate(rows, start=1):
                for c, value in enumerate(values, start=1):
                    if budget <= 0:
                        return wb
                    _put(ws.cell(row=r, column=c), value)
                    budget -= 1
    if not wb.worksheets:
        wb.create_sheet()
    return wb


def _put(cell: Cell, value: _CopiedValue) -> None:
    if isinstance(value, str) and not value:
        return
    if isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value


def _strip_previous_feedback(wb: WorkbookType) -> None:
    props = wb.custom_doc_props
    if FEEDBACK_MARKER not in props.names:
        return
    from ocop_etl.feedback.explanation import EXPLANATION_TITLE
    from ocop_etl.feedback.issue_list import ISSUE_LIST_TITLE

    for ws in list(wb.worksheets):
        if ws.title in {ISSUE_LIST_TITLE, EXPLANATION_TITLE}:
            wb.remove(ws)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == COMMENT_AUTHOR:
                    cell.comment = _district_note(cell.comment.text)
                    if str(cell.fill.fgColor.rgb)[-6:] in OUR_COLOURS:
                        cell.fill = PatternFill()


def _district_note(our_text: str) -> Comment | None:
    """The district's own comment we had kept inside our note, if any (its author is lost)."""
    _ours, found, theirs = our_text.partition(PREVIOUS_NOTE_HEADING)
    theirs = theirs.strip()
    return Comment(theirs, "") if found and theirs else None
