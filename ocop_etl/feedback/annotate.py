"""The district feedback workbook: their own file, annotated, with the issue list in front.

``write_feedback`` is the one entry point. It never fails because the district's file is bad (a
broken file is exactly when feedback matters); it raises ``StorageError`` only when the feedback
itself cannot be written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.workbook import Workbook

from ocop_etl.errors import StorageError
from ocop_etl.feedback.cell_locator import CellLocator
from ocop_etl.feedback.cell_notes import annotate_cells, rejected_row_keys
from ocop_etl.feedback.explanation import add_explanation
from ocop_etl.feedback.issue_list import add_issue_list
from ocop_etl.feedback.naming import feedback_file_name
from ocop_etl.feedback.source_copy import FEEDBACK_MARKER, open_base_workbook
from ocop_etl.feedback.summary import issues_to_json, summarize
from ocop_etl.issues import Issue

__all__ = ["issues_to_json", "summarize", "write_feedback"]


def write_feedback(
    source_path: Path,
    issues: Sequence[Issue],
    out_dir: Path,
    *,
    header_cells: Mapping[tuple[str, str], str] | None = None,
    display_name: str | None = None,
    rejected_rows: Collection[tuple[str, int]] = (),
) -> Path:
    """Write ``<stem>.loi.xlsx`` for the district into ``out_dir`` and return its path.

    ``header_cells`` maps (sheet, canonical field) → column letter, as found by the reader;
    ``display_name`` is the file name the district used (the archived ``source_path`` may be
    named by hash); ``rejected_rows`` are the (sheet, row) pairs that were not loaded.
    """
    file_name = display_name or source_path.name
    workbook, has_own_sheets = open_base_workbook(source_path, issues)
    blank_sheet = None if has_own_sheets else workbook.active

    locator = CellLocator(header_cells, workbook if has_own_sheets else None)
    rejected = rejected_row_keys(issues, rejected_rows)
    if has_own_sheets:
        annotate_cells(workbook, issues, locator, rejected)

    file_issues = [issue for issue in issues if issue.severity == "file"]
    position = 0
    if file_issues:
        add_explanation(workbook, file_issues, file_name, index=position)
        position += 1
    add_issue_list(workbook, issues, locator, index=position)
    if blank_sheet is not None:
        workbook.remove(blank_sheet)  # the empty "Sheet" a new Workbook() starts with
    _focus_first_sheet(workbook)
    _mark_as_feedback(workbook)
    return _save(workbook, out_dir, feedback_file_name(file_name))


def _focus_first_sheet(workbook: Workbook) -> None:
    """Open on our first sheet; un-select the district's sheets so Excel does not open with a
    group of sheets selected (edits would then go to all of them)."""
    workbook.active = 0
    for i, ws in enumerate(workbook.worksheets):
        ws.sheet_view.tabSelected = i == 0


def _mark_as_feedback(workbook: Workbook) -> None:
    props = workbook.custom_doc_props
    if FEEDBACK_MARKER not in props.names:
        props.append(StringProperty(name=FEEDBACK_MARKER, value="1"))


def _save(workbook: Workbook, out_dir: Path, name: str) -> Path:
    """Save atomically: a crash or full disk never leaves a half-written file for the district."""
    target = out_dir / name
    tmp_name: str | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".feedback-", suffix=".xlsx", dir=out_dir)
        with os.fdopen(fd, "wb") as fh:
            workbook.save(fh)
        Path(tmp_name).replace(target)
        tmp_name = None
    except OSError as exc:
        raise StorageError(f"cannot write feedback workbook {target}: {exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
    return target
