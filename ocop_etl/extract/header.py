"""Find the header row of an OCOP table and map its columns to canonical fields.

The header sits wherever the district put it: under a title block, after blank rows, over a
numbered "(1) (2) (3)" row, sometimes as two rows with merged parents ("Địa chỉ" over
"Xã" | "Huyện", "Kết quả phân hạng" over "Số điểm" | "Xếp hạng"). The header is the row (among
the first ``MAX_HEADER_SCAN``) whose cells match the most aliases, provided one of them is the
product name — a budget report or a drop-down list never has that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ocop_etl.extract.aliases import header_candidates, lookup
from ocop_etl.extract.workbook import Merged
from ocop_etl.schemas import columns

# Title blocks are 5–12 rows; 40 leaves room for blank rows and long "(Kèm theo…)" notes.
MAX_HEADER_SCAN = 40
# A product-name column alone could be a coincidence ("Sản phẩm" in a note); ask for one more.
MIN_HEADER_FIELDS = 2

Grid = list[list[str | None]]

_NUMBER_CELL = re.compile(r"^\(\s*\d{1,2}\s*\)$|^\d{1,2}$|^\(\s*[A-Za-z]\s*\)$")


@dataclass(frozen=True)
class HeaderColumn:
    index: int  # 0-based grid column
    text: str  # header as shown ("Địa chỉ / Xã" for a two-row header)
    field: str | None  # canonical field, None when the column is not part of the report


@dataclass
class HeaderLayout:
    header_row: int  # 0-based grid row of the (first) header row
    data_start: int  # first grid row below the header row(s)
    columns: list[HeaderColumn]
    field_col: dict[str, int]  # canonical field → grid column (first occurrence wins)
    duplicates: list[HeaderColumn] = field(default_factory=list)
    template_version: str | None = None

    @property
    def extras(self) -> list[HeaderColumn]:
        """Named columns that are not part of the report (duplicates are reported apart)."""
        dup = {d.index for d in self.duplicates}
        return [c for c in self.columns if c.field is None and c.text and c.index not in dup]


def cell(grid: Grid, r: int, c: int) -> str | None:
    row = grid[r] if 0 <= r < len(grid) else []
    return row[c] if 0 <= c < len(row) else None


def is_number_cell(text: str) -> bool:
    """A cell of the column-number row: "(3)", "3" or "(A)"."""
    return _NUMBER_CELL.match(text) is not None


def is_column_number_row(values: list[str | None]) -> bool:
    """True for the "(1) (2) (3)…" or "1 2 3…" row printed under many headers."""
    filled = [v for v in values if v]
    if len(filled) < 3 or not all(map(is_number_cell, filled)):
        return False
    if any("(" in v for v in filled):
        return True
    # Bare numbers: only a run 1, 2, 3… — a data row of numbers is not consecutive.
    numbers = [int(v) for v in filled]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _alias_fields(texts: Iterable[str]) -> dict[str | None, str]:
    """{text: the field it is an alias of}, for those of ``texts`` that are aliases."""
    # Texts that cannot be any alias are ruled out without building their match_key.
    return {t: alias.field for t in header_candidates(texts) if (alias := lookup(t))}


def _find_header_row(grid: Grid) -> int | None:
    rows = grid[:MAX_HEADER_SCAN]
    # The scanned rows repeat their texts (units, stars, empty cells): each distinct one is
    # looked up once, and each row then maps its cells to fields in C.
    field_of = _alias_fields(filter(None, set().union(*rows)))
    best, best_score = None, 0
    for r, row in enumerate(rows):
        fields = set(map(field_of.get, row))
        fields.discard(None)
        usable = columns.PRODUCT_NAME in fields and len(fields) >= MIN_HEADER_FIELDS
        if usable and len(fields) > best_score:
            best, best_score = r, len(fields)
    return best


def _parents(
    grid: Grid, r: int, width: int, merged: list[Merged], has_merge_info: bool
) -> list[str | None]:
    """Header text of row ``r`` per column, spreading each merged parent over its span."""
    parents = [cell(grid, r, c) for c in range(width)]
    for (r0, c0), (r1, c1) in merged:
        if r0 <= r <= r1:
            top_left = cell(grid, r0, c0)
            for c in range(c0, min(c1 + 1, width)):
                parents[c] = parents[c] or top_left
    if not has_merge_info:
        # .ods: calamine gives no merged ranges. A blank parent cell over a filled child cell,
        # right of a parent that itself has a child, is taken as part of that parent's span.
        child = r + 1
        for c in range(1, width):
            if parents[c] is None and cell(grid, child, c) and cell(grid, child, c - 1):
                parents[c] = parents[c - 1]
    return parents


def _resolve(parent: str | None, child: str | None) -> tuple[str, str | None, str]:
    """(display text, field, template) for one column of a one- or two-row header."""
    if child:
        # Most specific first: "Quyết định" + "Số" says more than "Số"; the parent alone is
        # never used for a child column ("Địa chỉ" over "Thôn" is not the address).
        candidates = [f"{parent} {child}", child] if parent and parent != child else [child]
        display = f"{parent} / {child}" if parent and parent != child else child
    else:
        candidates = [parent] if parent else []
        display = parent or ""
    for text in candidates:
        alias = lookup(text)
        if alias:
            return display, alias.field, alias.template
    return display, None, "any"


def _is_sub_header(grid: Grid, r: int, parents: list[str | None], name_col: int) -> bool:
    """Is row r+1 the second row of a two-row header (children of merged parents)?"""
    child_row = r + 1
    if child_row >= len(grid):
        return False
    values = grid[child_row]
    if not any(values) or is_column_number_row(values) or cell(grid, child_row, name_col):
        return False
    matched = False
    for c, text in enumerate(values):
        if not text:
            continue
        if re.fullmatch(r"[\d.,]+", text):
            return False
        parent = parents[c] if c < len(parents) else None
        if _resolve(parent, text)[1] is not None:
            matched = True
    return matched


def find_header(grid: Grid, merged: list[Merged], has_merge_info: bool) -> HeaderLayout | None:
    """The header layout of a sheet, or None when it holds no OCOP table."""
    r = _find_header_row(grid)
    if r is None:
        return None
    width = max((len(row) for row in grid), default=0)
    parents = _parents(grid, r, width, merged, has_merge_info)
    name_col = next(c for c in range(width) if (a := lookup(cell(grid, r, c)))
                    and a.field == columns.PRODUCT_NAME)
    two_rows = _is_sub_header(grid, r, parents, name_col)
    cols: list[HeaderColumn] = []
    field_col: dict[str, int] = {}
    duplicates: list[HeaderColumn] = []
    templates: Counter[str] = Counter()
    for c in range(width):
        child = cell(grid, r + 1, c) if two_rows else None
        display, fld, template = _resolve(parents[c], child)
        col = HeaderColumn(c, display, fld)
        if fld is not None and fld in field_col:
            duplicates.append(col)
            col = HeaderColumn(c, display, None)
        elif fld is not None:
            field_col[fld] = c
            if template != "any":
                templates[template] += 1
        cols.append(col)
    # A template version is claimed only when every template-specific alias agrees on it.
    version = next(iter(templates)) if len(templates) == 1 else None
    return HeaderLayout(
        header_row=r,
        data_start=r + (2 if two_rows else 1),
        columns=cols,
        field_col=field_col,
        duplicates=duplicates,
        template_version=version,
    )
