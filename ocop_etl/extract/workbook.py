"""Open a workbook with python-calamine and hand back each visible worksheet as a text grid.

calamine is 10–28× faster than openpyxl and also reports merged ranges for .xlsx/.xls, so it
reads every file; openpyxl/xlrd are used only later, and only for columns suspected of legacy
fonts (``legacy.py``). Values become *raw text* here, before any cleaning, because legacy
TCVN3/VNI text must be decoded before ``clean_text`` deletes its soft hyphens.

Number and date cells get a faithful text form — dates as dd/mm/yyyy (day first, as districts
write them), numbers as their shortest repr ("72.5", "3"): parsing belongs to normalization.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import python_calamine as calamine

from ocop_etl.errors import FileRejected
from ocop_etl.extract.limits import ReadLimits

Merged = tuple[tuple[int, int], tuple[int, int]]  # ((first_row, first_col), (last_row, last_col))


@dataclass
class SheetGrid:
    """One worksheet as raw text, anchored at A1 so indexes are Excel rows/cols minus one."""

    name: str
    cells: list[list[str | None]]
    merged: list[Merged]
    # False for .ods: calamine gives no merged ranges there, so header logic must infer them.
    has_merge_info: bool


def cell_to_text(value: object) -> str | None:
    """Faithful, uncleaned text of one calamine cell value; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _float_text(value: float) -> str | None:
    # Excel stores every number as a float: sequence number 3 must not read "3.0".
    if value.is_integer():  # never true for inf/nan
        return str(int(value))
    return repr(value) if math.isfinite(value) else None


def _check_sheet(name: str, rows: int, cols: int, limits: ReadLimits) -> None:
    if rows > limits.max_sheet_rows or rows * cols > limits.max_sheet_cells:
        raise FileRejected(
            "file.sheet_too_big",
            sheet=name,
            rows=f"{rows:,}",
            columns=f"{cols:,}",
            limit_rows=f"{limits.max_sheet_rows:,}",
            limit_cells=f"{limits.max_sheet_cells:,}",
        )


def _check_cells(name: str, values: Sequence[Sequence[object]], limit: int) -> None:
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if isinstance(v, str) and len(v) > limit:
                from ocop_etl.extract.reader import column_letter

                raise FileRejected(
                    "cell.too_long",
                    where=f"{name}!{column_letter(c)}{r + 1}",
                    chars=f"{len(v):,}",
                    limit=f"{limit:,}",
                )


def _text_rows(values: Sequence[Sequence[object]]) -> list[list[str | None]]:
    # Most cells are strings (empty ones are ""), which cell_to_text returns as they are, or
    # None for "", and most others are numbers (floats): skip its chain of checks for them.
    return [
        [
            (v or None) if type(v) is str
            else _float_text(v) if type(v) is float
            else cell_to_text(v)
            for v in row
        ]
        for row in values
    ]


def _longest_text(cells: list[list[str | None]]) -> int:
    """Length of the longest text in the grid; every raw string cell is one of them."""
    return max(map(len, filter(None, chain.from_iterable(cells))), default=0)


def read_visible_sheets(data: bytes, limits: ReadLimits | None = None) -> list[SheetGrid]:
    """Every visible worksheet of the workbook as a raw-text grid.

    Hidden and very-hidden sheets are skipped: districts hide old copies and lookup lists
    there, and a reader that took them would count products twice. ``limits`` bound the
    sheets, grid and cell length (ZIP files were already checked before calamine opened them;
    this also covers .xls/.ods and is the last line of defence).
    """
    limits = limits or ReadLimits()
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise FileRejected("file.password_protected") from exc
    except calamine.CalamineError as exc:
        raise FileRejected("file.unreadable", detail=str(exc)) from exc
    grids: list[SheetGrid] = []
    try:
        if len(book.sheets_metadata) > limits.max_sheets:
            raise FileRejected(
                "file.too_many_sheets", sheets=len(book.sheets_metadata), limit=limits.max_sheets
            )
        for meta in book.sheets_metadata:
            if meta.visible != calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            # skip_empty_area=False keeps the grid anchored at A1, so row i is Excel row i+1.
            # end is the last used cell (0-based), the grid runs from A1 to it.
            end_row, end_col = sheet.end or (-1, -1)
            _check_sheet(meta.name, end_row + 1, end_col + 1, limits)
            values = sheet.to_python(skip_empty_area=False)
            cells = _text_rows(values)
            if _longest_text(cells) > limits.max_cell_chars:
                # Only raw strings count (a number's text form is not a cell's text): the
                # exact check, which also names the first cell over the limit.
                _check_cells(meta.name, values, limits.max_cell_chars)
            merged = sheet.merged_cell_ranges
            grids.append(SheetGrid(meta.name, cells, list(merged or []), merged is not None))
    except calamine.PasswordError as exc:
        raise FileRejected("file.password_protected") from exc
    except calamine.CalamineError as exc:
        # A truncated or damaged sheet part: refuse the whole file rather than half of it.
        raise FileRejected("file.unreadable", detail=str(exc)) from exc
    finally:
        book.close()
    return grids
