"""Writing text from district files into a workbook without it ever becoming a formula.

Anything we copy from a district's cells or from an issue value is untrusted: a cell reading
``=HYPERLINK("http://…")`` or ``@SUM(A1)`` must reach the officer as the literal text, never as
a live formula (CSV/formula injection). openpyxl turns any string starting with ``=`` into a
formula, so every untrusted string goes through :func:`write_text`, which pins the cell type to
text and sets Excel's quote prefix (the hidden apostrophe) so that re-editing the cell in Excel
does not evaluate it either.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell

# Characters Excel/LibreOffice treat as the start of a formula when a cell is (re-)entered.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# XML 1.0 forbids these control characters; openpyxl raises IllegalCharacterError on them, and a
# stray \x0b in a district's cell must not stop the feedback from being written.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Excel's hard limit for one cell's text.
EXCEL_CELL_LIMIT = 32_767
ELLIPSIS = "…"


def clean_text(value: object, *, limit: int = EXCEL_CELL_LIMIT) -> str:
    """``value`` as a string Excel can store: illegal control characters removed, length capped."""
    text = _ILLEGAL_XML.sub("", str(value))
    if len(text) > limit:
        text = text[: max(limit - len(ELLIPSIS), 0)] + ELLIPSIS
    return text


def looks_like_formula(text: str) -> bool:
    """True when Excel would read ``text`` as a formula if it were typed into a cell."""
    return text.startswith(FORMULA_TRIGGERS)


def write_text(cell: Cell, value: object, *, limit: int = EXCEL_CELL_LIMIT) -> None:
    """Put untrusted ``value`` into ``cell`` as inert text (``None`` leaves the cell empty)."""
    if value is None:
        cell.value = None
        return
    text = clean_text(value, limit=limit)
    cell.value = text
    # openpyxl has just inferred 'f' for "=…" (or 'e' for "#N/A"); force plain text.
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def neutralise_cell(cell: Cell) -> None:
    """Make an existing text cell of the district's workbook formula-proof (keeps its value)."""
    if cell.data_type == "s" and isinstance(cell.value, str) and looks_like_formula(cell.value):
        cell.quotePrefix = True
