"""Highlights and Vietnamese comments on the district's own cells.

All issues hitting one cell become one comment (Excel shows a single comment per cell), most
serious first; the fill follows the most serious of them. The first cell of a rejected row also
says that the row was not loaded, because officers otherwise assume that a highlighted row made
it into the national data with a remark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ocop_etl.feedback.cell_locator import CellLocator, CellTarget
from ocop_etl.feedback.marks import (
    COMMENT_AUTHOR,
    ERROR_FILL,
    PREVIOUS_NOTE_HEADING,
    REJECTED_ROW_FILL,
    REJECTED_ROW_NOTE,
    SEVERITY_RANK,
    SEVERITY_VI,
    WARNING_FILL,
)
from ocop_etl.feedback.safe_text import clean_text
from ocop_etl.issues import Issue

# Keep one comment readable and far below Excel's 32,767-character cell limit.
MAX_COMMENT_CHARS = 4_000


@dataclass
class _CellNote:
    issues: list[Issue] = field(default_factory=list)
    row_rejected: bool = False


def rejected_row_keys(
    issues: Iterable[Issue], rejected_rows: Collection[tuple[str, int]]
) -> set[tuple[str, int]]:
    """Rows to mark as rejected: those the caller rejected plus any row carrying an error
    (an error rejects its row by definition, so the two must never disagree in the feedback)."""
    keys = {(sheet, row) for sheet, row in rejected_rows}
    keys |= {
        (issue.source_sheet, issue.source_row)
        for issue in issues
        if issue.severity == "error" and issue.source_sheet is not None and issue.source_row
    }
    return keys


def annotate_cells(
    workbook: Workbook,
    issues: Iterable[Issue],
    locator: CellLocator,
    rejected: Collection[tuple[str, int]],
) -> int:
    """Fill and comment every located cell of a sheet present in ``workbook``; returns how many
    cells were annotated."""
    notes: dict[CellTarget, _CellNote] = defaultdict(_CellNote)
    for issue in issues:
        target = locator.locate(issue)
        if target is not None:
            notes[target].issues.append(issue)
    for sheet, row in rejected:
        notes[locator.row_start(sheet, row)].row_rejected = True

    annotated = 0
    for target, note in notes.items():
        if target.sheet not in workbook.sheetnames:
            continue  # e.g. an .xls whose sheets could not be copied
        cell = _writable_cell(workbook[target.sheet], target.ref)
        if cell is None:
            continue
        _apply(cell, note)
        annotated += 1
    return annotated


def _writable_cell(ws: Worksheet, ref: str) -> Cell | None:
    """The cell at ``ref``, or the top-left cell of the merged area covering it: only that
    cell of a merged area can carry a fill or a comment."""
    cell = ws[ref]
    if isinstance(cell, Cell):
        return cell
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            anchor = ws.cell(row=merged.min_row, column=merged.min_col)
            return anchor if isinstance(anchor, Cell) else None
    return None


def _apply(cell: Cell, note: _CellNote) -> None:
    ordered = sorted(note.issues, key=lambda i: SEVERITY_RANK[i.severity])
    severities = {issue.severity for issue in ordered}
    if severities & {"error", "file"}:
        cell.fill = ERROR_FILL
    elif "warning" in severities:
        cell.fill = WARNING_FILL
    elif note.row_rejected:
        cell.fill = REJECTED_ROW_FILL
    text = comment_text(ordered, row_rejected=note.row_rejected)
    previous = cell.comment
    if previous is not None and previous.author != COMMENT_AUTHOR:
        # Keep the district's own note: it may be the context a reviewer needs.
        text = f"{text}\n\n{PREVIOUS_NOTE_HEADING}\n{previous.text}"
    text = clean_text(text, limit=MAX_COMMENT_CHARS)
    comment = Comment(text, COMMENT_AUTHOR)
    # Default comment boxes (about 2 short lines) cut Vietnamese explanations off on screen.
    lines = sum(1 + len(line) // 45 for line in text.splitlines())
    comment.width = 320
    comment.height = min(max(60, 15 * lines + 10), 600)
    cell.comment = comment


def comment_text(issues: list[Issue], *, row_rejected: bool) -> str:
    """The Vietnamese text of one cell's comment."""
    lines: list[str] = []
    if len(issues) == 1:
        issue = issues[0]
        lines.append(f"{SEVERITY_VI[issue.severity]}: {issue.message_vi}")
    else:
        for number, issue in enumerate(issues, start=1):
            lines.append(f"{number}. {SEVERITY_VI[issue.severity]}: {issue.message_vi}")
    if row_rejected:
        lines.append(REJECTED_ROW_NOTE)
    return "\n".join(lines)
