"""How feedback looks: fills, labels and comment author shared by every feedback sheet.

Colours are Excel's own "Bad" (red) and "Neutral" (yellow) cell-style colours, which officers
already read as "wrong" and "check this"; rejected rows get a paler red on their first cell so
the row marker is visibly different from a cell that is itself wrong.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill

from ocop_etl.issues import Severity

ERROR_COLOUR = "FFC7CE"
WARNING_COLOUR = "FFEB9C"
REJECTED_ROW_COLOUR = "FCE4E4"
HEADER_COLOUR = "DDEBF7"

ERROR_FILL = PatternFill(fill_type="solid", start_color=ERROR_COLOUR, end_color=ERROR_COLOUR)
WARNING_FILL = PatternFill(fill_type="solid", start_color=WARNING_COLOUR, end_color=WARNING_COLOUR)
REJECTED_ROW_FILL = PatternFill(
    fill_type="solid", start_color=REJECTED_ROW_COLOUR, end_color=REJECTED_ROW_COLOUR
)
HEADER_FILL = PatternFill(fill_type="solid", start_color=HEADER_COLOUR, end_color=HEADER_COLOUR)
OUR_COLOURS = frozenset({ERROR_COLOUR, WARNING_COLOUR, REJECTED_ROW_COLOUR})

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")

# Comments we write carry this author, so a resent feedback workbook's stale notes can be told
# apart from the district's own comments.
COMMENT_AUTHOR = "OCOP ETL"

SEVERITY_VI: dict[Severity, str] = {
    "error": "Lỗi",
    "warning": "Cảnh báo",
    "file": "Loại cả tệp",
}
# Most serious first: file rejections, then row errors, then warnings.
SEVERITY_RANK: dict[Severity, int] = {"file": 0, "error": 1, "warning": 2}

# Separates our text from a district comment we found on the same cell, so a resent feedback
# workbook can give the district its own note back.
PREVIOUS_NOTE_HEADING = "— Ghi chú có sẵn trong tệp —"
REJECTED_ROW_NOTE = "Dòng này bị loại, chưa được đưa vào cơ sở dữ liệu."
TEMPLATE_COMMAND = "ocop-etl template"
