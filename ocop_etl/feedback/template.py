"""The OCOP report template districts are asked to use.

It is generated from the same data that validates reports: headers are accepted spellings from
``column_aliases.csv`` and product groups come from ``product_groups.csv``. The version is
stored as a defined name and as document properties so the reader can recognise a template
file (and its layout) without guessing.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ocop_etl.errors import StorageError
from ocop_etl.feedback.column_labels import aliases_by_field, label_for
from ocop_etl.feedback.marks import HEADER_FILL, HEADER_FONT, TITLE_FONT
from ocop_etl.feedback.safe_text import write_text
from ocop_etl.feedback.template_instructions import add_instructions
from ocop_etl.feedback.template_lists import (
    PRODUCER_TYPES,
    STAR_CHOICES,
    product_group_names,
    taxonomy_for_period,
    unit_choices,
)
from ocop_etl.schemas import columns as col

TEMPLATE_VERSION = "ocop-2025.1"
VERSION_NAME = "OCOP_TEMPLATE_VERSION"

DATA_SHEET = "Danh sách sản phẩm"
LISTS_SHEET = "DanhMuc"
HEADER_ROW = 5
# Rows pre-formatted and validated below the header; Excel users rarely fill more.
PREPARED_ROWS = 1_000
SCORE_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
PROGRAMME_START = dt.date(2018, 1, 1)

# (field, column width) in template order: the subset a recognition list needs.
TEMPLATE_FIELDS: tuple[tuple[str, int], ...] = (
    (col.SEQ, 6),
    (col.PRODUCT_NAME, 36),
    (col.PRODUCER, 36),
    (col.PRODUCER_TYPE, 20),
    (col.COMMUNE, 20),
    (col.DISTRICT, 20),
    (col.PROVINCE, 18),
    (col.PRODUCT_GROUP, 30),
    (col.SCORE, 10),
    (col.STARS, 16),
    (col.DECISION_NO, 18),
    (col.DECISION_DATE, 16),
    (col.NOTE, 24),
)
# How firmly each drop-down insists: stars and groups must come from the list; producer types
# warn (real types vary); unit lists are suggestions (names change, lists are partial), so
# "information" lets other text through.
LIST_ERROR_STYLE = {col.STARS: "stop", col.PRODUCT_GROUP: "stop", col.PRODUCER_TYPE: "warning"}
# Preferred header where the first alias is less clear; must be an accepted alias (checked).
PREFERRED_HEADERS = {col.SCORE: "Số điểm"}


def template_headers() -> tuple[tuple[str, str], ...]:
    """(field, header) for every template column; every header is an alias the reader accepts."""
    aliases = aliases_by_field()
    headers = []
    for field, _width in TEMPLATE_FIELDS:
        preferred = PREFERRED_HEADERS.get(field)
        header = preferred if preferred in aliases.get(field, ()) else label_for(field)
        headers.append((field, header))
    return tuple(headers)


def write_template(
    out: Path,
    *,
    period: int | None = None,
    province: str | None = None,
    units: Sequence[str] = (),
) -> Path:
    """Write the report template to ``out`` (an .xlsx path) and return it.

    ``period`` picks the product-group list (148/QĐ-TTg from 2023, 1048 before) and the title;
    ``province`` the letterhead; ``units`` the suggested Xã/Huyện names.
    """
    taxonomy = taxonomy_for_period(period)
    headers = template_headers()
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = DATA_SHEET
    _title_block(ws, period, province, len(headers))
    _header_row(ws, headers)
    lists = _lists_sheet(wb, taxonomy, unit_choices(units))
    _validations_and_formats(ws, headers, lists)
    add_instructions(
        wb, headers, taxonomy=taxonomy, template_version=TEMPLATE_VERSION, province=province
    )
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    _record_version(wb, period)
    wb.active = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise StorageError(f"cannot write template {out}: {exc}") from exc
    return out


def _mentions_version(path: Path) -> bool:
    """Whether the workbook's defined names or custom properties mention our version name.

    Every report passes through here; opening it with openpyxl costs 5–9 ms, a zip look-up
    a fraction of that.
    """
    marker = VERSION_NAME.encode()
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            return any(
                part in names and marker in zf.read(part)
                for part in ("xl/workbook.xml", "docProps/custom.xml")
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def read_template_version(path: Path) -> str | None:
    """The template version recorded in a workbook, or None (not our template, or unreadable).

    The defined name is checked first (it survives "Save as" in Excel and LibreOffice), then the
    custom document property.
    """
    if not _mentions_version(path):
        return None  # the common case, decided from two small XML parts in ~0.2 ms
    try:
        with path.open("rb") as fh:
            wb = load_workbook(fh, read_only=True)
    # Any unreadable or foreign file simply is not one of our templates.
    except Exception:  # noqa: BLE001
        return None
    try:
        defined = wb.defined_names.get(VERSION_NAME)
        if defined is not None and defined.attr_text:
            return str(defined.attr_text).strip().strip('"') or None
        for prop in wb.custom_doc_props.props:
            if prop.name == VERSION_NAME and prop.value:
                return str(prop.value)
        return None
    finally:
        wb.close()


def _province_heading(province: str) -> str:
    """"Quảng Nam" → "UBND TỈNH QUẢNG NAM"; "TP. Hà Nội"/"Thành phố Huế" → "UBND THÀNH PHỐ …"."""
    name = " ".join(province.split())
    lowered = name.casefold()
    for prefix, kind in (("thành phố ", "THÀNH PHỐ"), ("tp. ", "THÀNH PHỐ"), ("tp ", "THÀNH PHỐ"),
                         ("tỉnh ", "TỈNH")):
        if lowered.startswith(prefix):
            return f"UBND {kind} {name[len(prefix):].strip().upper()}"
    return f"UBND TỈNH {name.upper()}"


def _title_block(ws: Worksheet, period: int | None, province: str | None, width: int) -> None:
    last = get_column_letter(width)
    if province:
        write_text(ws["A1"], _province_heading(province))
        ws["A1"].font = HEADER_FONT
    year = str(period) if period is not None else "……"
    ws["A2"] = f"DANH SÁCH SẢN PHẨM OCOP NĂM {year}"
    ws["A2"].font = TITLE_FONT
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws["A3"] = (
        f"(Mẫu {TEMPLATE_VERSION}: mỗi sản phẩm một dòng, giữ nguyên các cột; "
        "xem trang 'Hướng dẫn')"
    )
    ws["A3"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A3:{last}3")


def _header_row(ws: Worksheet, headers: Sequence[tuple[str, str]]) -> None:
    widths = dict(TEMPLATE_FIELDS)
    for c, (field, header) in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=c, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = widths[field]
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _lists_sheet(
    wb: WorkbookType, taxonomy: str, units: Sequence[str]
) -> dict[str, str]:
    """Write the hidden choices sheet; returns field → absolute range of its choices."""
    ws = wb.create_sheet(title=LISTS_SHEET)
    columns: list[tuple[tuple[str, ...], str, Sequence[str]]] = [
        ((col.STARS,), "Hạng sao", STAR_CHOICES),
        ((col.PRODUCT_GROUP,), f"Nhóm sản phẩm ({taxonomy})", product_group_names(taxonomy)),
        ((col.PRODUCER_TYPE,), "Loại hình chủ thể", PRODUCER_TYPES),
    ]
    if units:
        columns.append(((col.COMMUNE, col.DISTRICT), "Đơn vị hành chính", units))
    ranges: dict[str, str] = {}
    columns = [column for column in columns if column[2]]  # no empty drop-downs
    for c, (fields, title, values) in enumerate(columns, start=1):
        letter = get_column_letter(c)
        ws.cell(row=1, column=c, value=title).font = HEADER_FONT
        for r, value in enumerate(values, start=2):
            write_text(ws.cell(row=r, column=c), value)
        ws.column_dimensions[letter].width = 40
        for field in fields:
            ranges[field] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    # Hidden, not "veryHidden": an officer who needs to check the lists can still unhide it.
    ws.sheet_state = "hidden"
    return ranges


def _validations_and_formats(
    ws: Worksheet, headers: Sequence[tuple[str, str]], lists: dict[str, str]
) -> None:
    first, last = HEADER_ROW + 1, HEADER_ROW + PREPARED_ROWS
    letters = {field: get_column_letter(c) for c, (field, _h) in enumerate(headers, start=1)}

    def area(field: str) -> str:
        return f"{letters[field]}{first}:{letters[field]}{last}"

    def add(dv: DataValidation, field: str) -> None:
        dv.add(area(field))
        ws.add_data_validation(dv)

    for field, range_ref in lists.items():
        dv = DataValidation(
            type="list",
            formula1=range_ref,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=LIST_ERROR_STYLE.get(field, "information"),
            errorTitle="Giá trị không có trong danh sách",
            error="Hãy chọn một giá trị trong danh sách thả xuống.",
        )
        add(dv, field)

    score = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Số điểm không hợp lệ",
        error="Số điểm phải là số từ 0 đến 100, ví dụ 72,5.",
        promptTitle="Số điểm",
        prompt="Tổng điểm trung bình, từ 0 đến 100.",
    )
    add(score, col.SCORE)
    date = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=str((PROGRAMME_START - dt.date(1899, 12, 30)).days),  # Excel serial of the date
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="warning",
        errorTitle="Ngày không hợp lệ",
        error="Ghi ngày dạng ngày/tháng/năm (từ năm 2018), ví dụ 29/12/2022.",
        promptTitle="Ngày quyết định",
        prompt="Dạng ngày/tháng/năm, ví dụ 29/12/2022.",
    )
    add(date, col.DECISION_DATE)

    formats = {
        col.SCORE: SCORE_FORMAT,
        col.DECISION_DATE: DATE_FORMAT,
        # Text, or Excel turns a decision number like "12/3" into a date.
        col.DECISION_NO: TEXT_FORMAT,
    }
    for field, number_format in formats.items():
        column = letters[field]
        for r in range(first, last + 1):
            ws[f"{column}{r}"].number_format = number_format


def _record_version(wb: WorkbookType, period: int | None) -> None:
    wb.defined_names.add(DefinedName(VERSION_NAME, attr_text=f'"{TEMPLATE_VERSION}"'))
    wb.custom_doc_props.append(StringProperty(name=VERSION_NAME, value=TEMPLATE_VERSION))
    wb.properties.keywords = f"{VERSION_NAME}={TEMPLATE_VERSION}"
    wb.properties.title = "Mẫu báo cáo sản phẩm OCOP" + (f" năm {period}" if period else "")
    wb.properties.creator = "OCOP ETL"
