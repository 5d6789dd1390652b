"""``read_report``: one district workbook in, product rows with lineage (or a rejection) out.

The data path, per visible sheet: raw grid (calamine) → legacy-font columns decoded → every
cell through ``clean_text`` → header found and mapped → rows classified, section values
carried down. Whole-file outcomes raise ``FileRejected``; a file is either read completely,
every row with its sheet and Excel row number, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from ocop_etl.errors import FileRejected
from ocop_etl.extract import meta as meta_sources
from ocop_etl.extract import phrases
from ocop_etl.extract.fileformat import Container, check_suffix, sniff_container
from ocop_etl.extract.header import Grid, HeaderLayout, find_header
from ocop_etl.extract.legacy import decode_legacy_columns, distinct_texts
from ocop_etl.extract.limits import ReadLimits, check_file_size, check_package
from ocop_etl.extract.rows import SheetProducts, read_products, stars_in_name
from ocop_etl.extract.workbook import SheetGrid, read_visible_sheets
from ocop_etl.issues import Issue, make_issue
from ocop_etl.schemas import columns
from ocop_etl.transforms.text import clean_texts

CARRIED_FIELDS = (
    columns.STARS_FROM_SECTION,
    columns.DISTRICT_FROM_SECTION,
    columns.GROUP_FROM_SECTION,
)


@dataclass(frozen=True)
class ReportMeta:
    """What the file says about itself: who reports, for which period, how it was read."""

    province: str | None = None
    district: str | None = None
    year: int | None = None
    round: int | None = None
    title: str | None = None
    decision: str | None = None  # "(Kèm theo Quyết định số … ngày …)" above the table
    # (sheet, canonical field) → Excel column letter: lets feedback point at the exact cell.
    field_columns: dict[tuple[str, str], str] = field(default_factory=dict)
    template_version: str | None = None
    legacy_encoding: dict[str, str] = field(default_factory=dict)  # column → encoding converted
    sheets_read: tuple[str, ...] = ()


@dataclass
class ExtractedReport:
    rows: pd.DataFrame
    issues: list[Issue]
    meta: ReportMeta


@dataclass
class _SheetTable:
    name: str
    layout: HeaderLayout
    title_lines: list[str]
    products: SheetProducts
    legacy: dict[int, str]


def column_letter(index: int) -> str:
    """0 → 'A', 27 → 'AB' (how the district finds the column in Excel)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _title_lines(grid: Grid, header_row: int) -> list[str]:
    return [v for row in grid[:header_row] for v in row if v]


def _sheet_stars(sheet_name: str, title_lines: list[str]) -> dict[str, str]:
    """A star class named by the sheet ("4 sao") or the title ("… ĐẠT 4 SAO") for all its rows."""
    stars = stars_in_name(sheet_name)
    if stars is None:
        titles = [
            t for t in title_lines
            if phrases.TITLE_LINE.match(phrases.fold(t))
            and not phrases.DECISION_LINE.search(phrases.fold(t))
        ]
        found = {s for s in map(stars_in_name, titles) if s}
        stars = found.pop() if len(found) == 1 else None
    return {columns.STARS_FROM_SECTION: stars} if stars else {}


def _clean_grid(cells: list[list[str | None]], texts: set[str | None]) -> Grid:
    """``clean_text`` of every cell, computed once per distinct text of the sheet (``texts``).

    A sheet repeats most of its cells (stars, groups, units, empty cells), and even a cached
    ``clean_text`` costs a Python call per cell; a dict lookup per cell (``map``) does not.
    """
    cleaned = clean_texts(texts)
    return [list(map(cleaned.__getitem__, row)) for row in cells]


def _read_sheet(data: bytes, container: Container, grid: SheetGrid) -> _SheetTable | None:
    texts = distinct_texts(grid)
    # Legacy fonts are decoded on the raw text: clean_text would delete TCVN3's ư (U+00AD).
    legacy = decode_legacy_columns(data, container, grid, texts)
    if legacy:  # cells were rewritten: their distinct texts changed
        texts = distinct_texts(grid)
    text = _clean_grid(grid.cells, texts)
    layout = find_header(text, grid.merged, grid.has_merge_info)
    if layout is None:
        return None  # a helper sheet (drop-down lists, notes): not part of the report
    title_lines = _title_lines(text, layout.header_row)
    base = _sheet_stars(grid.name, title_lines)
    products = read_products(text, layout, grid.merged, base)
    return _SheetTable(grid.name, layout, title_lines, products, legacy)


def _layout_issues(table: _SheetTable, source_file: str) -> list[Issue]:
    issues = []
    row = table.layout.header_row + 1
    for col in table.layout.extras:
        issues.append(make_issue(
            "header.extra_column", source_file=source_file, source_sheet=table.name,
            source_row=row, column=column_letter(col.index), value=col.text, header=col.text,
        ))
    for col in table.layout.duplicates:
        issues.append(make_issue(
            "header.duplicate_column", source_file=source_file, source_sheet=table.name,
            source_row=row, column=column_letter(col.index), value=col.text, header=col.text,
        ))
    return issues


def _check_tables(tables: list[_SheetTable]) -> None:
    if not tables:
        raise FileRejected("file.no_ocop_table")
    if not any(t.products for t in tables):
        raise FileRejected("file.no_product_rows")
    for t in tables:
        has_star_column = columns.STARS in t.layout.field_col
        carried = any(t.products.carried_column(columns.STARS_FROM_SECTION))
        if t.products and not has_star_column and not carried:
            raise FileRejected("file.no_star_column", sheet=t.name)


def _column(tables: list[_SheetTable], name: str) -> list[str | None]:
    """Field ``name`` of every product of every sheet, in row order."""
    return list(chain.from_iterable(t.products.column(name) for t in tables))


def _rows_frame(tables: list[_SheetTable], source_file: str) -> pd.DataFrame:
    raw_fields = [f for f in columns.RAW_FIELDS if any(f in t.layout.field_col for t in tables)]
    carried = [f for f in CARRIED_FIELDS if any(any(t.products.carried_column(f)) for t in tables)]
    text_columns = [columns.SOURCE_FILE, columns.SOURCE_SHEET, *raw_fields, *carried]
    count = sum(len(t.products) for t in tables)
    # One list per column (each sheet's column picked in C), then one 2-D object array of
    # shape (columns, rows): the layout pandas keeps a block of columns in, so the frame
    # takes the array as it is (copy=False). Building it from one dict per row, or from one
    # tuple per row, cost several times more.
    by_column = [
        [source_file] * count,
        list(chain.from_iterable([t.name] * len(t.products) for t in tables)),
        *(_column(tables, f) for f in raw_fields),
        *(list(chain.from_iterable(t.products.carried_column(f) for t in tables)) for f in carried),
    ]
    grid = np.array(by_column, dtype=object).reshape(len(text_columns), count)
    # object dtype keeps None as None: pandas 3 would infer "str" and turn None into NaN.
    frame = pd.DataFrame(grid.T, columns=text_columns, dtype=object, copy=False)
    # The row numbers go in as an int64 array of their own: converting an object column
    # afterwards (astype + replacing the column) cost more than building the whole frame.
    source_rows = np.fromiter(
        chain.from_iterable(t.products.source_rows for t in tables), dtype=np.int64, count=count
    )
    frame.insert(columns.LINEAGE.index(columns.SOURCE_ROW), columns.SOURCE_ROW, source_rows)
    return frame


def _legacy_by_column(tables: list[_SheetTable]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in tables:
        names = {c.index: c.field or c.text or column_letter(c.index) for c in t.layout.columns}
        for index, encoding in t.legacy.items():
            out[names.get(index, column_letter(index))] = encoding
    return out


def _report_meta(
    tables: list[_SheetTable], path: Path, display_name: str | None
) -> meta_sources.Found:
    title_lines = [line for t in tables for line in t.title_lines]
    present = {f for t in tables for f in t.products.fields}
    rows = {f: _column(tables, f) for f in meta_sources.ROW_FIELDS if f in present}
    found = meta_sources.from_title(title_lines)
    found = found.merged_with(meta_sources.from_rows(rows))
    found = found.merged_with(meta_sources.from_decision(title_lines, rows))
    return found.merged_with(meta_sources.from_path(path, display_name))


def read_report(
    path: Path, *, display_name: str | None = None, limits: ReadLimits | None = None
) -> ExtractedReport:
    """Read one report workbook (.xlsx, .xlsm, .xls, .ods).

    ``display_name`` is how the file is named in lineage and messages (e.g. its path relative
    to the inbox, "quang-nam/thang-binh/2022_ocop.xlsx"); it defaults to the file name.
    Raises ``FileRejected`` for whole-file outcomes (format, unreadable, password, no table,
    no product rows, no star column) and for files over ``limits`` (``extract/limits.py``:
    size, zip bombs, sheets, grid extent, cell length), checked before anything is expanded.
    """
    limits = limits or ReadLimits()
    path = Path(path)
    source_file = display_name or path.name
    check_suffix(path.suffix)
    try:
        check_file_size(path.stat().st_size, limits)  # before reading it into memory
        data = path.read_bytes()
    except OSError as exc:
        raise FileRejected("file.unreadable", detail=exc.strerror or type(exc).__name__) from exc
    container = sniff_container(data)
    if container is not Container.XLS:
        check_package(data, limits)  # zip bombs, sparse grids, shared-string bombs
    tables = [
        t for g in read_visible_sheets(data, limits) if (t := _read_sheet(data, container, g))
    ]
    _check_tables(tables)

    issues = [i for t in tables for i in _layout_issues(t, source_file)]
    found = _report_meta(tables, path, display_name)
    if found.year is None:
        issues.append(make_issue("period.unknown", source_file=source_file))
    versions = {t.layout.template_version for t in tables}
    report_meta = ReportMeta(
        province=found.province,
        district=found.district,
        year=found.year,
        round=found.round,
        title=found.title,
        decision=meta_sources.title_decision([line for t in tables for line in t.title_lines]),
        field_columns={
            (t.name, name): column_letter(index)
            for t in tables
            for name, index in t.layout.field_col.items()
        },
        template_version=versions.pop() if len(versions) == 1 else None,
        legacy_encoding=_legacy_by_column(tables),
        sheets_read=tuple(t.name for t in tables),
    )
    return ExtractedReport(_rows_frame(tables, source_file), issues, report_meta)
