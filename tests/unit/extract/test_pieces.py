"""Small pieces of the reader: cell text, the column-number row, header aliases, phrases,
product rows."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop_etl.extract.aliases import lookup
from ocop_etl.extract.header import find_header, is_column_number_row
from ocop_etl.extract.phrases import fold
from ocop_etl.extract.reader import column_letter
from ocop_etl.extract.rows import read_products, stars_in_name, stars_section
from ocop_etl.extract.workbook import cell_to_text


@pytest.mark.parametrize("value, text", [
    (None, None), ("", None), (72.5, "72.5"), (3.0, "3"), (3, "3"), (0.1, "0.1"),
    (dt.date(2022, 12, 29), "29/12/2022"), (dt.datetime(2021, 7, 5), "05/07/2021"),
    (dt.datetime(2021, 7, 5, 8, 30), "05/07/2021 08:30:00"), (True, "TRUE"),
    ("Tr\u00adêng", "Tr\u00adêng"),  # raw: the soft hyphen may be TCVN3's ư, kept for decoding
])
def test_cell_to_text(value: object, text: str | None) -> None:
    assert cell_to_text(value) == text


@pytest.mark.parametrize("row, expected", [
    (["(1)", "(2)", "(3)", "(4)"], True),
    (["1", "2", "3", "4", "5"], True),
    (["(A)", "(B)", "(C)"], True),
    (["1", "72", "4"], False),
    (["1", "Gạo", "4"], False),
    (["(1)", "(2)"], False),
])
def test_column_number_row(row: list[str], expected: bool) -> None:
    assert is_column_number_row(row) is expected


@pytest.mark.parametrize("header, field", [
    ("TÊN SẢN PHẨM", "product_name"), ("Tên  sản\nphẩm (*)", "product_name"),
    ("Xã, phường, thị trấn", "commune"), ("Huyện/TX/TP", "district"),
    ("Số, ngày quyết định", "decision"), ("Hạng sao OCOP", "stars"), ("Ghi chú", "note"),
    ("Số điện thoại", None), (None, None),
])
def test_header_aliases(header: str | None, field: str | None) -> None:
    alias = lookup(header)
    assert (alias.field if alias else None) == field


def test_fold_keeps_positions() -> None:
    text = "Nhóm: Đồ uống"
    assert fold(text) == "nhom  do uong"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("text, stars", [
    ("Sản phẩm đạt 4 sao", "4 sao"), ("SẢN PHẨM ĐẠT 3 SAO", "3 sao"), ("Hạng 5 sao", "5 sao"),
    ("Tiềm năng 5 sao", "tiềm năng 5 sao"), ("Gạo 3 sao", None), ("Nhóm thực phẩm", None),
])
def test_stars_section(text: str, stars: str | None) -> None:
    assert stars_section(text) == stars


@pytest.mark.parametrize("name, stars", [
    ("3 sao", "3 sao"), ("SP 4 SAO", "4 sao"), ("4sao", "4 sao"), ("Sheet1", None),
    ("Từ 3 sao trở lên", None), ("3 sao và 4 sao", None),
])
def test_stars_in_name(name: str, stars: str | None) -> None:
    assert stars_in_name(name) == stars


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 8, 25, 26, 27)] == ["A", "I", "Z", "AA", "AB"]


def test_products_are_kept_by_position_and_read_by_column() -> None:
    grid: list[list[str | None]] = [
        ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao"],
        ["Sản phẩm đạt 4 sao", None, None, None],
        ["1", "Gạo hữu cơ", "HTX Quế Xuân", None],
        ["2", "Nước mắm"],  # a row shorter than the header: the missing cells are empty
        ["I", "Huyện Thăng Bình"],
        ["3", "Trà xanh", "Cơ sở Tâm An", "3 sao"],
    ]
    layout = find_header(grid, [], True)
    assert layout is not None
    products = read_products(grid, layout, [], {})
    assert products.fields == ("seq", "product_name", "producer", "stars")
    assert products.source_rows == [3, 4, 6]
    assert products.values[1] == ("2", "Nước mắm", None, None)
    assert products.column("producer") == ["HTX Quế Xuân", None, "Cơ sở Tâm An"]
    assert products.column("score") == [None, None, None]  # not in this header
    assert products.carried_column("stars_from_section") == ["4 sao", "4 sao", "4 sao"]
    assert products.carried_column("district_from_section") == [None, None, "Huyện Thăng Bình"]
    assert len(products) == 3
