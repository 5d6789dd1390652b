"""Per-file layout choices: which headers, in what order, which cell formats, which extras.

File ``index`` cycles through four base layouts so even four files cover the main shapes;
everything else is drawn from the file's seeded RNG. Header spellings are limited to those in
``ocop_etl/extract/column_aliases.csv`` (the reader's table): a sample must never test a
spelling the reader was not told about. The two group labels above merged two-row headers
("Địa chỉ", "Kết quả phân hạng") are parents; the reader keys on the leaf labels below them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from ocop_etl.samples.formats import SCORE_STYLES, STAR_STYLES
from ocop_etl.schemas import columns as col

DecisionMode = Literal["columns", "combined", "title", "none"]

LABELS: dict[str, tuple[str, ...]] = {
    col.SEQ: ("STT", "TT", "Số TT"),
    col.PRODUCT_NAME: ("Tên sản phẩm", "Sản phẩm", "Tên sản phẩm OCOP"),
    col.PRODUCER: ("Chủ thể", "Tên chủ thể", "Đơn vị sản xuất", "Chủ thể sản xuất"),
    col.ADDRESS: ("Địa chỉ", "Địa chỉ", "Địa chỉ chủ thể"),
    col.COMMUNE: ("Xã", "Xã, phường, thị trấn", "Xã/phường/thị trấn"),
    col.DISTRICT: ("Huyện", "Huyện, thị xã, thành phố", "Huyện/TX/TP"),
    col.SCORE: ("Điểm", "Số điểm", "Tổng điểm", "Điểm đánh giá"),
    col.STARS: ("Hạng sao", "Xếp hạng", "Kết quả", "Số sao"),
    col.DECISION: ("Quyết định", "Quyết định công nhận", "Số, ngày quyết định"),
    col.DECISION_NO: ("Số quyết định", "Số QĐ"),
    col.DECISION_DATE: ("Ngày quyết định", "Ngày QĐ"),
    col.NOTE: ("Ghi chú",),
}
ADDRESS_GROUP = "Địa chỉ"
RESULT_GROUP = "Kết quả phân hạng"
SHEET_TITLES = ("Sheet1", "Danh sách", "DS OCOP", "Phụ lục", "KQ phân hạng")
TITLE_PATTERNS = (
    "DANH SÁCH SẢN PHẨM ĐẠT CHỨNG NHẬN OCOP {period}",
    "DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN {period}",
    "KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP {period}",
)


@dataclass(frozen=True)
class Column:
    """One table column: canonical ``field``, the header ``label``, an optional merged parent."""

    field: str
    label: str
    group: str | None = None


@dataclass(frozen=True)
class Layout:
    """Everything about a workbook's shape that is fixed for the whole file."""

    sheet_title: str
    title_pattern: str
    columns: tuple[Column, ...]
    numbered_row: bool  # "(1) (2) (3)…" under the header
    star_style: str
    mixed_star_styles: bool  # a few rows in another star spelling, as after copy-paste
    score_style: str | None  # None: no score column
    decision_mode: DecisionMode
    decision_in_title: bool
    date_as_text: bool
    date_padded: bool
    issuer_is_district: bool
    totals_row: bool
    signature: bool
    village_rate: float  # share of addresses starting with "thôn …"
    address_has_province: bool
    blank_rows_after_title: int

    @property
    def two_row_header(self) -> bool:
        return any(c.group for c in self.columns)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)


# The base layouts file index cycles through: (split address, grouped result, score style,
# decision mode). Together they hold every feature the tests require of a 4-file set.
_BASE: tuple[tuple[bool, bool, str | None, DecisionMode], ...] = (
    (False, False, "comma_text", "columns"),
    (True, True, "number", "title"),
    (False, False, "mixed", "combined"),
    (True, False, None, "columns"),
)


def _label(field: str, rng: random.Random) -> str:
    return rng.choice(LABELS[field])


def _columns(rng: random.Random, split_address: bool, grouped_result: bool,
             has_score: bool, decision_mode: DecisionMode, note: bool) -> tuple[Column, ...]:
    """Header columns in a plausible, varying order (STT first, Ghi chú last)."""
    product = Column(col.PRODUCT_NAME, _label(col.PRODUCT_NAME, rng))
    producer = Column(col.PRODUCER, _label(col.PRODUCER, rng))
    if split_address:
        merged = rng.random() < 0.7 or grouped_result  # grouped headers come together
        group = ADDRESS_GROUP if merged else None
        address = [Column(col.COMMUNE, "Xã" if merged else _label(col.COMMUNE, rng), group),
                   Column(col.DISTRICT, "Huyện" if merged else _label(col.DISTRICT, rng), group)]
    else:
        address = [Column(col.ADDRESS, _label(col.ADDRESS, rng))]
    body = [product, producer, *address]
    if rng.random() < 0.2:
        body = [producer, product, *address]
    elif rng.random() < 0.2:
        body = [product, *address, producer]

    result: list[Column] = []
    if grouped_result and has_score:
        result = [Column(col.SCORE, "Số điểm", RESULT_GROUP),
                  Column(col.STARS, "Xếp hạng", RESULT_GROUP)]
    else:
        if has_score:
            result.append(Column(col.SCORE, _label(col.SCORE, rng)))
        result.append(Column(col.STARS, _label(col.STARS, rng)))
        if rng.random() < 0.3:
            result.reverse()

    decision: list[Column] = []
    if decision_mode == "columns":
        decision = [Column(col.DECISION_NO, _label(col.DECISION_NO, rng)),
                    Column(col.DECISION_DATE, _label(col.DECISION_DATE, rng))]
    elif decision_mode == "combined":
        decision = [Column(col.DECISION, _label(col.DECISION, rng))]
    tail = [*result, *decision] if rng.random() < 0.7 else [*decision, *result]
    extra = [Column(col.NOTE, "Ghi chú")] if note else []
    return (Column(col.SEQ, _label(col.SEQ, rng)), *body, *tail, *extra)


def choose_layout(index: int, rng: random.Random) -> Layout:
    """The layout of file number ``index`` (base shape by index, details by ``rng``)."""
    split_address, grouped_result, score_style, decision_mode = _BASE[index % len(_BASE)]
    if index >= len(_BASE) and rng.random() < 0.5:
        # Past the first cycle, re-draw the score/decision shape too, so larger sets mix more.
        score_style = rng.choice((*SCORE_STYLES, None))
        decision_mode = rng.choice(("columns", "combined", "title", "none"))
        grouped_result = grouped_result and score_style is not None
    note = rng.random() < 0.4
    columns = _columns(rng, split_address, grouped_result, score_style is not None,
                       decision_mode, note)
    return Layout(
        sheet_title=rng.choice(SHEET_TITLES),
        title_pattern=rng.choice(TITLE_PATTERNS),
        columns=columns,
        numbered_row=index % 3 == 0 or rng.random() < 0.3,
        star_style=STAR_STYLES[index % len(STAR_STYLES)],
        mixed_star_styles=rng.random() < 0.3,
        score_style=score_style,
        decision_mode=decision_mode,
        decision_in_title=(decision_mode == "title"
                           or (decision_mode != "none" and rng.random() < 0.5)),
        date_as_text=rng.random() < 0.5,
        date_padded=rng.random() < 0.7,
        issuer_is_district=rng.random() < 0.6,
        totals_row=index % 4 != 3 or rng.random() < 0.5,
        signature=index % 4 != 2 or rng.random() < 0.5,
        village_rate=rng.choice((0.0, 0.0, 0.3, 0.8)),
        address_has_province=rng.random() < 0.25,
        blank_rows_after_title=rng.choice((1, 1, 2)),
    )
