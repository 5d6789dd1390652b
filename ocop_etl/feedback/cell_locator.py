"""Finding the Excel cell an issue is about, and the column header as the district wrote it.

Issues carry (sheet, 1-based row, canonical field); only the reader knows in which column each
field sits, so it passes ``header_cells``: (sheet, field) → column letter. An issue whose field
has no known column (missing column, whole-row problem) points at the row's first table cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook

from ocop_etl.feedback.column_labels import is_alias_of, label_for
from ocop_etl.issues import Issue

# Headers sit near the top; looking further would only cost time on long sheets.
HEADER_SCAN_ROWS = 60


@dataclass(frozen=True)
class CellTarget:
    """One cell of the district's workbook."""

    sheet: str
    row: int
    column: str  # column letter, e.g. "F"

    @property
    def ref(self) -> str:
        return f"{self.column}{self.row}"


def _valid_letter(letter: str) -> str | None:
    text = letter.strip().upper()
    try:
        column_index_from_string(text)
    except ValueError:
        return None
    return text


class CellLocator:
    """Resolves issues to cells; ``workbook`` (when it holds the district's sheets) lets it read
    the headers as written."""

    def __init__(
        self, header_cells: Mapping[tuple[str, str], str] | None, workbook: Workbook | None
    ) -> None:
        self._columns: dict[tuple[str, str], str] = {}
        for (sheet, field), letter in (header_cells or {}).items():
            valid = _valid_letter(str(letter))
            if valid is not None:  # a bad letter from upstream must not stop the feedback
                self._columns[(sheet, field)] = valid
        self._workbook = workbook
        self._header_text: dict[tuple[str, str], str | None] = {}

    def column_letter(self, sheet: str, field: str | None) -> str | None:
        """The column of ``field`` in ``sheet`` when the reader reported it."""
        if field is None:
            return None
        return self._columns.get((sheet, field))

    def first_column(self, sheet: str) -> str:
        """The table's leftmost known column (tables often start in B), else A."""
        indexes = [
            column_index_from_string(letter)
            for (s, _field), letter in self._columns.items()
            if s == sheet
        ]
        return get_column_letter(min(indexes)) if indexes else "A"

    def locate(self, issue: Issue) -> CellTarget | None:
        """The cell to annotate for ``issue``; None for file- or sheet-level issues."""
        if issue.source_sheet is None or issue.source_row is None or issue.source_row < 1:
            return None
        sheet = issue.source_sheet
        letter = self.column_letter(sheet, issue.column) or self.first_column(sheet)
        return CellTarget(sheet, issue.source_row, letter)

    def row_start(self, sheet: str, row: int) -> CellTarget:
        """The first table cell of a row, where the rejected-row marker goes."""
        return CellTarget(sheet, row, self.first_column(sheet))

    def column_title(self, issue: Issue) -> str:
        """The column's header as written in the file, else its canonical Vietnamese label."""
        if issue.column is None:
            return ""
        if issue.source_sheet is not None:
            letter = self.column_letter(issue.source_sheet, issue.column)
            if letter is not None:
                written = self._written_header(issue.source_sheet, issue.column, letter)
                if written:
                    return written
        return label_for(issue.column)

    def _written_header(self, sheet: str, field: str, letter: str) -> str | None:
        key = (sheet, field)
        if key not in self._header_text:
            self._header_text[key] = self._scan_header(sheet, field, letter)
        return self._header_text[key]

    def _scan_header(self, sheet: str, field: str, letter: str) -> str | None:
        """The top cell of the column that is an accepted spelling of ``field``."""
        if self._workbook is None or sheet not in self._workbook.sheetnames:
            return None
        ws = self._workbook[sheet]
        col = column_index_from_string(letter)
        last = min(ws.max_row, HEADER_SCAN_ROWS)
        for (value,) in ws.iter_rows(
            min_row=1, max_row=last, min_col=col, max_col=col, values_only=True
        ):
            if isinstance(value, str) and is_alias_of(value, field):
                return " ".join(value.split())
        return None
