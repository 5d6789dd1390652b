"""Write one report workbook: title block, header, product rows, totals, signatures.

openpyxl's write-only mode streams rows to disk, which keeps benchmark sets (thousands of
files × hundreds of rows) fast; merged ranges are registered on ``ws.merged_cells`` and
written when the sheet closes, so the layouts need nothing write-only mode lacks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange

from ocop_etl.samples import admin_labels as labels
from ocop_etl.samples.admin_units import District, province_display, province_kind
from ocop_etl.samples.catalogue import person_name
from ocop_etl.samples.formats import (
    POTENTIAL_FIVE_STAR,
    STAR_STYLES,
    date_text,
    decision_cell,
    decision_title_line,
    long_date,
    score_cell,
    star_cell,
)
from ocop_etl.samples.layout import Layout
from ocop_etl.samples.rows import RowPlan
from ocop_etl.samples.stable_zip import save_stable
from ocop_etl.schemas import columns as col

BOLD = Font(bold=True)
ITALIC = Font(italic=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTHS = {col.SEQ: 6, col.PRODUCT_NAME: 38, col.PRODUCER: 36, col.ADDRESS: 40, col.COMMUNE: 18,
          col.DISTRICT: 18, col.SCORE: 10, col.STARS: 12, col.DECISION: 34,
          col.DECISION_NO: 16, col.DECISION_DATE: 14, col.NOTE: 16}
NOTES = (None, None, None, None, None, "Mới", "Công nhận lại", "Nâng hạng", "Cấp mới")


@dataclass(frozen=True)
class ReportSpec:
    """Everything one workbook shows; ``decision_no`` is None when the report names none."""

    district: District
    year: int
    round: int | None
    decision_no: str | None
    decision_date: date | None
    decision_issuer: str  # "UBND tỉnh Quảng Nam"
    signed_on: date
    layout: Layout
    plans: tuple[RowPlan, ...]


class _Sheet:
    """Appends rows to a write-only sheet while tracking the 1-based row number and merges."""

    def __init__(self, ws: WriteOnlyWorksheet, width: int) -> None:
        self.ws = ws
        self.width = width
        self.row = 0

    def cell(self, value: Any, font: Font | None = None, center: bool = False) -> Any:
        c = WriteOnlyCell(self.ws, value=value)
        if font is not None:
            c.font = font
        if center:
            c.alignment = CENTER
        return c

    def append(self, values: list[Any]) -> int:
        self.ws.append(values)
        self.row += 1
        return self.row

    def blank(self) -> None:
        self.append([])

    def merge(self, first_col: int, last_col: int, first_row: int | None = None,
              last_row: int | None = None) -> None:
        r1 = first_row or self.row
        self.ws.merged_cells.add(CellRange(min_col=first_col, min_row=r1, max_col=last_col,
                                           max_row=last_row or r1))

    def at(self, values: dict[int, Any]) -> list[Any]:
        """A row list with ``values`` placed at their 1-based columns."""
        row: list[Any] = [None] * max(values)
        for c, v in values.items():
            row[c - 1] = v
        return row


def _split_point(width: int) -> int:
    """Last column of the left (issuer) half of the title and signature blocks."""
    return max(2, width // 3)


def _title_block(sheet: _Sheet, spec: ReportSpec, rng: random.Random) -> None:
    d, lay = spec.district, spec.layout
    left = _split_point(sheet.width)
    province = province_display(d.province, spec.year)
    issuer = (labels.issuer_caps(d.kind, d.name) if lay.issuer_is_district
              else labels.issuer_caps(province_kind(d.province, spec.year), province))
    sheet.append(sheet.at({1: sheet.cell(issuer, BOLD, True),
                           left + 1: sheet.cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", BOLD, True)}))
    sheet.merge(1, left)
    sheet.merge(left + 1, sheet.width)
    sheet.append(sheet.at({left + 1: sheet.cell("Độc lập - Tự do - Hạnh phúc", BOLD, True)}))
    sheet.merge(left + 1, sheet.width)
    if rng.random() < 0.5:
        place = d.name if lay.issuer_is_district else province
        dated = sheet.cell(long_date(place, spec.signed_on), ITALIC, True)
        sheet.append(sheet.at({left + 1: dated}))
        sheet.merge(left + 1, sheet.width)
    else:
        sheet.blank()
    sheet.blank()
    period = f"ĐỢT {spec.round} NĂM {spec.year}" if spec.round else f"NĂM {spec.year}"
    sheet.append([sheet.cell(lay.title_pattern.format(period=period), BOLD, True)])
    sheet.merge(1, sheet.width)
    if lay.decision_in_title and spec.decision_no and spec.decision_date:
        line = decision_title_line(spec.decision_no, spec.decision_date, spec.decision_issuer)
        sheet.append([sheet.cell(line, ITALIC, True)])
        sheet.merge(1, sheet.width)
    for _ in range(lay.blank_rows_after_title):
        sheet.blank()


def _header(sheet: _Sheet, lay: Layout) -> None:
    """One header row, or two with merged parents ("Địa chỉ" over "Xã" | "Huyện")."""
    if not lay.two_row_header:
        sheet.append([sheet.cell(c.label, BOLD, True) for c in lay.columns])
        return
    top: list[Any] = []
    bottom: list[Any] = []
    for i, c in enumerate(lay.columns):
        starts_group = c.group is not None and (i == 0 or lay.columns[i - 1].group != c.group)
        top.append(sheet.cell(c.group if starts_group else (None if c.group else c.label),
                              BOLD, True))
        bottom.append(sheet.cell(c.label if c.group else None, BOLD, True))
    first = sheet.append(top)
    sheet.append(bottom)
    i = 0
    while i < len(lay.columns):
        group = lay.columns[i].group
        if group is None:
            sheet.merge(i + 1, i + 1, first, first + 1)  # single column spans both header rows
            i += 1
            continue
        j = i
        while j + 1 < len(lay.columns) and lay.columns[j + 1].group == group:
            j += 1
        sheet.merge(i + 1, j + 1, first, first)
        i = j + 1


def _address(spec: ReportSpec, plan: RowPlan, rng: random.Random) -> str:
    parts = []
    if rng.random() < spec.layout.village_rate:
        parts.append(labels.village_label(rng))
    parts.append(labels.commune_label(plan.commune, rng))
    parts.append(labels.district_label(spec.district, rng))
    if spec.layout.address_has_province:
        name = province_display(spec.district.province, spec.year)
        options = [name, f"tỉnh {name}"]
        if name == "Thừa Thiên Huế":
            options.append("TT Huế")  # common, and a trap: here TT is not "thị trấn"
        parts.append(rng.choice(options))
    return ", ".join(parts)


def _star(spec: ReportSpec, plan: RowPlan, rng: random.Random) -> int | str:
    if plan.potential:
        return rng.choice(POTENTIAL_FIVE_STAR)
    assert plan.stars is not None
    style = spec.layout.star_style
    if spec.layout.mixed_star_styles and rng.random() < 0.15:
        style = rng.choice(STAR_STYLES)
    return star_cell(plan.stars, style)


def _data_row(sheet: _Sheet, spec: ReportSpec, seq: int, plan: RowPlan,
              rng: random.Random) -> list[Any]:
    lay = spec.layout
    values: list[Any] = []
    for c in lay.columns:
        f = c.field
        v: Any = None
        if f == col.SEQ:
            v = seq
        elif f == col.PRODUCT_NAME:
            v = plan.product_name or None
        elif f == col.PRODUCER:
            v = plan.producer
        elif f == col.ADDRESS:
            v = _address(spec, plan, rng)
        elif f == col.COMMUNE:
            v = (plan.commune.name if rng.random() < 0.4
                 else labels.commune_label(plan.commune, rng))
        elif f == col.DISTRICT:
            v = labels.district_label(spec.district, rng)
        elif f == col.SCORE and plan.score is not None and lay.score_style:
            v = score_cell(plan.score, lay.score_style, rng)
        elif f == col.STARS:
            v = _star(spec, plan, rng)
        elif f == col.DECISION and spec.decision_no and spec.decision_date:
            v = decision_cell(spec.decision_no, spec.decision_date, lay.date_padded, rng)
        elif f == col.DECISION_NO:
            v = spec.decision_no
        elif f == col.DECISION_DATE and spec.decision_date:
            if lay.date_as_text:
                v = date_text(spec.decision_date, lay.date_padded)
            else:
                v = sheet.cell(spec.decision_date)
                v.number_format = "dd/mm/yyyy"
        elif f == col.NOTE:
            v = "Đề nghị xét 5 sao" if plan.potential else rng.choice(NOTES)
        values.append(v)
    return values


def _totals(sheet: _Sheet, lay: Layout, count: int, rng: random.Random) -> None:
    """"Tổng cộng: 12 sản phẩm" under the table, in one of the placements officers use."""
    product_col = lay.fields.index(col.PRODUCT_NAME) + 1
    style = rng.randrange(3)
    if style == 0:
        sheet.append([sheet.cell(f"Tổng cộng: {count} sản phẩm", BOLD, True)])
        sheet.merge(1, max(2, product_col))
    elif style == 1:
        sheet.append(sheet.at({product_col: sheet.cell(f"Tổng: {count} sản phẩm", BOLD)}))
    else:
        sheet.append(sheet.at({1: sheet.cell("Tổng cộng", BOLD, True),
                               product_col: sheet.cell(f"{count} sản phẩm", BOLD)}))


def _signature(sheet: _Sheet, rng: random.Random) -> None:
    left = _split_point(sheet.width)
    right = left + 1
    sheet.blank()
    title, role = rng.choice((("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
                              ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")))
    with_maker = rng.random() < 0.7
    first = {right: sheet.cell(title, BOLD, True)}
    if with_maker:
        first[2] = sheet.cell("NGƯỜI LẬP BIỂU", BOLD, True)
    sheet.append(sheet.at(first))
    sheet.merge(right, sheet.width)
    sheet.append(sheet.at({right: sheet.cell(role, BOLD, True)}))
    sheet.merge(right, sheet.width)
    sheet.append(sheet.at({right: sheet.cell("(Đã ký)", ITALIC, True)}))
    sheet.merge(right, sheet.width)
    sheet.blank()
    last = {right: sheet.cell(person_name(rng), BOLD, True)}
    if with_maker:
        last[2] = sheet.cell(person_name(rng), BOLD, True)
    sheet.append(sheet.at(last))
    sheet.merge(right, sheet.width)


def write_report(path: Path, spec: ReportSpec, rng: random.Random) -> tuple[str, list[int]]:
    """Write the workbook; return its sheet title and the Excel row of each plan, in order."""
    lay = spec.layout
    wb = Workbook(write_only=True)
    wb.properties.creator = "UBND"
    ws = wb.create_sheet(lay.sheet_title)
    # Widths must be set before the first row: write-only sheets emit <cols> up front.
    for i, c in enumerate(lay.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(c.field, 14)
    sheet = _Sheet(ws, len(lay.columns))
    _title_block(sheet, spec, rng)
    _header(sheet, lay)
    if lay.numbered_row:
        sheet.append([sheet.cell(f"({i})", ITALIC, True) for i in range(1, sheet.width + 1)])
    rows = [sheet.append(_data_row(sheet, spec, seq, plan, rng))
            for seq, plan in enumerate(spec.plans, 1)]
    if lay.totals_row:
        _totals(sheet, lay, len(spec.plans), rng)
    if lay.signature:
        _signature(sheet, rng)
    save_stable(wb, path)
    return lay.sheet_title, rows
