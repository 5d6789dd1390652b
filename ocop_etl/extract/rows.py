"""Classify the rows under a header: products, section rows, and everything that is not a product.

A district's table mixes product rows with:
- section rows that carry a value down to the products under them — "I | HUYỆN THĂNG BÌNH"
  (district), "1. Nhóm thực phẩm" / "Nhóm: Đồ uống" (product group), "Sản phẩm đạt 4 sao"
  (stars). A section row has text in 1–2 cells at the left of the table (a label and a text,
  or one text often merged across the row) — a product row has its other columns filled;
- totals ("Tổng cộng: 12 sản phẩm", "Cộng"), the "(1) (2) (3)" column-number row, a header
  repeated on a new printed page, template rows with only a sequence number, blank rows;
- the end of the table: "Ghi chú", the "…, ngày … tháng … năm …" line and the signature
  block (NGƯỜI LẬP BIỂU, KT. CHỦ TỊCH, Nơi nhận:, "(Đã ký)", names). Nothing after it is read.

Sections nest (district › group › stars in any order): a new section of a kind replaces that
kind and clears the kinds opened after it, so a new district does not inherit the previous
district's group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from itertools import zip_longest
from operator import itemgetter, methodcaller

from ocop_etl.extract import phrases
from ocop_etl.extract.aliases import alias_candidates, lookup
from ocop_etl.extract.header import (
    Grid,
    HeaderLayout,
    cell,
    is_column_number_row,
    is_number_cell,
)
from ocop_etl.extract.workbook import Merged
from ocop_etl.schemas import columns


class RowKind(Enum):
    PRODUCT = "product"
    SECTION = "section"
    SKIP = "skip"  # blank, total, column numbers, repeated header, template row
    END = "end"  # notes / date line / signature block: the table is over


@dataclass(frozen=True)
class Section:
    kind: str | None  # one of the *_FROM_SECTION columns, or None for an unlabelled heading
    value: str | None


@dataclass
class SheetProducts:
    """The product rows of one sheet, kept by position: entry i of each list is product i.

    One tuple of values per product, not one dict: a sheet has hundreds of products, and
    the reader only ever asks for whole columns (``column``).
    """

    fields: tuple[str, ...]  # the header's canonical fields, in the order of ``values``
    source_rows: list[int] = field(default_factory=list)  # 1-based Excel rows
    values: list[tuple[str | None, ...]] = field(default_factory=list)
    # What the sheet, its title and the sections above carry down to each product. Products
    # under the same sections share one dict (never modified once built).
    carried: list[dict[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_rows)

    def column(self, name: str) -> list[str | None]:
        """Field ``name`` of every product: None throughout when the header lacks the field."""
        if name not in self.fields:
            return [None] * len(self)
        return list(map(itemgetter(self.fields.index(name)), self.values))

    def carried_column(self, name: str) -> list[str | None]:
        """The value carried down for ``name`` to every product (None where nothing is)."""
        return list(map(methodcaller("get", name), self.carried))


def fill_vertical_merges(grid: Grid, merged: list[Merged], first_row: int) -> None:
    """Copy a vertically merged cell's value into every row it covers (data area only).

    Districts merge one producer or one decision over the rows of its products; calamine gives
    the value only in the top cell. Horizontal merges are not spread: a section title merged
    across the row must stay a one-cell row.
    """
    for (r0, c0), (r1, _c1) in merged:
        if r1 <= r0 or r0 < first_row:
            continue
        value = cell(grid, r0, c0)
        for r in range(r0 + 1, min(r1 + 1, len(grid))):
            if c0 < len(grid[r]) and grid[r][c0] is None:
                grid[r][c0] = value


def _merged_across(merged: list[Merged], r: int, c: int) -> bool:
    return any(r0 == r and c0 == c and c1 > c0 for (r0, c0), (_r1, c1) in merged)


def stars_section(text: str) -> str | None:
    """'Sản phẩm đạt 4 sao' → '4 sao'; 'Tiềm năng 5 sao' → 'tiềm năng 5 sao'; else None."""
    m = phrases.STARS_SECTION.match(phrases.fold(text))
    if not m:
        return None
    return f"tiềm năng {m['stars']} sao" if m["potential"] else f"{m['stars']} sao"


def stars_in_name(text: str) -> str | None:
    """One star class named anywhere in a sheet name or title line ("4 sao", "SP 3 SAO")."""
    folded = phrases.fold(text)
    if phrases.STARS_RANGE.search(folded):
        return None
    found = {m["stars"] for m in phrases.STARS_ANYWHERE.finditer(folded)}
    return f"{found.pop()} sao" if len(found) == 1 else None


def _classify_section_text(text: str) -> Section | None:
    stars = stars_section(text)
    if stars:
        return Section(columns.STARS_FROM_SECTION, stars)
    folded = phrases.fold(text)
    if phrases.DISTRICT_SECTION.match(folded):
        return Section(columns.DISTRICT_FROM_SECTION, text.strip())
    m = phrases.GROUP_SECTION.match(folded)
    if m:
        value = text[m.end():].strip(" :.-")
        return Section(columns.GROUP_FROM_SECTION, value or None)
    return None


def _strip_inline_label(text: str) -> str:
    m = phrases.INLINE_LABEL.match(text)
    return text[m.end():].strip() or text if m else text


def classify_section(
    values: list[str | None], r: int, layout: HeaderLayout, merged: list[Merged]
) -> Section | None:
    """A Section if the row is a section row, else None (it may still be a product)."""
    filled = [(c, v) for c, v in enumerate(values) if v]
    if not 1 <= len(filled) <= 2:
        return None
    label = None
    if len(filled) == 2 and phrases.LABEL_CELL.match(phrases.fold(filled[0][1])):
        label = filled[0][1]
        text_col, text = filled[1]
    elif len(filled) == 2:
        # "Nhóm:" | "Đồ uống": one heading split over two cells.
        text_col, text = filled[0][0], f"{filled[0][1]} {filled[1][1]}"
    else:
        text_col, text = filled[0]
    name_col = layout.field_col[columns.PRODUCT_NAME]
    # Section text sits left of (or in) the product-name column, or is merged across the row;
    # text in the payload columns ("Huyện Thăng Bình" in the district column) is a product row.
    if text_col > name_col and not _merged_across(merged, r, text_col):
        return None
    for candidate in (text, _strip_inline_label(text)):
        section = _classify_section_text(candidate)
        if section:
            return section
    # A Roman/letter-labelled heading ("II | SẢN PHẨM CẤP TỈNH", "B. Sản phẩm mới") or one
    # text merged across the table: not a product, and it carries nothing we know.
    label_text = label or (text if _strip_inline_label(text) != text else "")
    lettered = bool(label_text) and not label_text.strip()[0].isdigit()
    if lettered or (len(filled) == 1 and _merged_across(merged, r, text_col)):
        return Section(None, None)
    return None


# The checks below would run on every cell of every data row. A sheet repeats its cells
# (stars, groups, units, districts), so each distinct text of the data area is looked at once
# (``_SheetTexts``), and the rows then only test set membership. Texts also repeat across the
# files of one run, hence the bounded caches.
_PER_TEXT_CACHE = 1 << 14


@lru_cache(maxsize=_PER_TEXT_CACHE)
def _is_header_of(text: str, field: str) -> bool:
    alias = lookup(text)
    return alias is not None and alias.field == field


@lru_cache(maxsize=_PER_TEXT_CACHE)
def _is_total(text: str) -> bool:
    return phrases.TOTAL.match(phrases.fold(text)) is not None


@lru_cache(maxsize=_PER_TEXT_CACHE)
def _marks_table_end(text: str) -> bool:
    folded = phrases.fold(text)
    return bool(
        phrases.NOTE.match(folded) or phrases.SIGNATURE.match(folded)
        or phrases.PLACE_DATE.search(folded)
    )


@dataclass(frozen=True)
class _SheetTexts:
    """What the distinct texts under the header are, decided once per sheet."""

    totals: frozenset[str]  # "Tổng cộng", "Cộng: 12 sản phẩm"
    # (column, its texts that spell the column's own header), for columns that have any:
    # a header repeated on a new printed page.
    header_texts: tuple[tuple[int, frozenset[str]], ...]
    payload_columns: tuple[int, ...]  # columns of every field but the sequence number
    # Rows at least this wide hold every payload column: ``payload_values`` picks them in C.
    payload_width: int
    payload_values: Callable[[list[str | None]], tuple[str | None, ...]]

    @classmethod
    def of(cls, rows: Grid, layout: HeaderLayout) -> _SheetTexts:
        texts = _texts_in(set().union(*rows))
        candidates = phrases.texts_without(texts, phrases.NOT_IN_TOTALS)
        by_column = list(zip_longest(*rows))  # columns of the data area, short rows padded
        header_texts = []
        for col in layout.columns:
            if col.field is None or col.index >= len(by_column):
                continue
            column_texts = _texts_in(set(by_column[col.index]))
            own = frozenset(
                t for t in alias_candidates(column_texts, col.field) if _is_header_of(t, col.field)
            )
            if own:
                header_texts.append((col.index, own))
        payload_columns = tuple(c for f, c in layout.field_col.items() if f != columns.SEQ)
        return cls(
            totals=frozenset(filter(_is_total, candidates)),
            header_texts=tuple(header_texts),
            payload_columns=payload_columns,
            payload_width=max(payload_columns, default=-1) + 1,
            payload_values=_picker(payload_columns),
        )

    def is_repeated_header(self, values: list[str | None]) -> bool:
        if len(self.header_texts) < 2:
            return False  # two columns must spell their own header
        hits = 0
        for index, own in self.header_texts:
            if index < len(values) and values[index] in own:
                hits += 1
        return hits >= 2

    def is_total(self, values: list[str | None]) -> bool:
        return not self.totals.isdisjoint(values)

    def has_payload(self, values: list[str | None]) -> bool:
        """Any field but the sequence number filled (a missing cell is empty)."""
        width = len(values)
        if width >= self.payload_width:  # the common case: no bounds check per column
            return any(self.payload_values(values))
        return any(values[c] for c in self.payload_columns if c < width)


def _picker(indexes: tuple[int, ...]) -> Callable[[list[str | None]], tuple[str | None, ...]]:
    """``values`` → the values at ``indexes``, as a tuple, picked in C (``itemgetter``)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    # itemgetter of a single index returns the value itself, not a 1-tuple.
    return lambda values: tuple(values[i] for i in indexes)


def _texts_in(values: set[str | None]) -> set[str]:
    """The non-empty texts among a set of cells (emptied of the others in place, in C)."""
    values.discard(None)
    values.discard("")
    return values  # type: ignore[return-value]  # only texts are left


def _ends_table(filled: list[str]) -> bool:
    return len(filled) <= 3 and any(map(_marks_table_end, filled))


def classify(
    values: list[str | None],
    r: int,
    layout: HeaderLayout,
    merged: list[Merged],
    texts: _SheetTexts,
) -> tuple[RowKind, Section | None]:
    """What row r is (0-based grid row), and its section when it is one."""
    filled = list(filter(None, values))  # the non-empty cells, picked in C
    # A column-number row has only number cells: a product row fails on its name, cheaply.
    numbers = len(filled) >= 3 and is_number_cell(filled[1]) and is_column_number_row(values)
    if not filled or numbers or texts.is_repeated_header(values):
        return RowKind.SKIP, None
    if _ends_table(filled):
        return RowKind.END, None
    if texts.is_total(values):
        return RowKind.SKIP, None
    # Only a row with one or two filled cells can be a section row.
    section = classify_section(values, r, layout, merged) if len(filled) <= 2 else None
    if section is not None:
        return RowKind.SECTION, section
    if not texts.has_payload(values):
        # Template rows pre-numbered 1…50 with nothing else, or text only in ignored columns.
        return RowKind.SKIP, None
    return RowKind.PRODUCT, None


def _carried(base: dict[str, str], stack: list[tuple[str, str | None]]) -> dict[str, str]:
    carried = dict(base)
    carried.update({k: v for k, v in stack if v is not None})
    return carried


def read_products(
    grid: Grid, layout: HeaderLayout, merged: list[Merged], base: dict[str, str]
) -> SheetProducts:
    """The product rows under the header, with values carried from sheet/title and sections."""
    fill_vertical_merges(grid, merged, layout.data_start)
    texts = _SheetTexts.of(grid[layout.data_start:], layout)
    indexes = tuple(layout.field_col.values())
    # A row that reaches the last field column has its values picked in C (``itemgetter``).
    pick = _picker(indexes)
    full_width = max(indexes, default=-1) + 1
    stack: list[tuple[str, str | None]] = []  # open sections, outermost first
    carried = _carried(base, stack)  # rebuilt when a section opens, shared by its products
    products = SheetProducts(tuple(layout.field_col))
    for r in range(layout.data_start, len(grid)):
        values = grid[r]
        kind, section = classify(values, r, layout, merged, texts)
        if kind is RowKind.END:
            break
        if kind is RowKind.SECTION and section is not None and section.kind is not None:
            kinds = [k for k, _ in stack]
            if section.kind in kinds:
                del stack[kinds.index(section.kind):]
            stack.append((section.kind, section.value))
            carried = _carried(base, stack)
        if kind is not RowKind.PRODUCT:
            continue
        width = len(values)
        if width >= full_width:
            products.values.append(pick(values))
        else:
            products.values.append(tuple(values[c] if c < width else None for c in indexes))
        products.source_rows.append(r + 1)
        products.carried.append(carried)
    return products
