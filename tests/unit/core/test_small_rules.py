"""Address splitting, certificate validity, the supersession key, the content hash."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ocop_etl.check import content_hash
from ocop_etl.load.loader import Submission
from ocop_etl.transforms.address import AddressParts, _split_address, split_address
from ocop_etl.transforms.normalize import add_months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Real address cells (Huế QĐ 1810/QĐ-UBND; Quảng Nam lists).
        ("Thôn Bao La - Đức Nhuận, xã Quảng Phú, huyện Quảng Điền",
         AddressParts("xã Quảng Phú", "huyện Quảng Điền", None)),
        ("xã Điện Phong, TX Điện Bàn", AddressParts("xã Điện Phong", "TX Điện Bàn", None)),
        ("TT Hà Lam, H. Thăng Bình, T. Quảng Nam",
         AddressParts("TT Hà Lam", "H. Thăng Bình", "T. Quảng Nam")),
        ("P. Sơn Phong, TP.Hội An, Quảng Nam",
         AddressParts("P. Sơn Phong", "TP.Hội An", "Quảng Nam")),
        ("xã Quế Xuân 2, Quế Sơn", AddressParts("xã Quế Xuân 2", "Quế Sơn", None)),
        ("", AddressParts()),
        (None, AddressParts()),
    ],
)
def test_split_address_keeps_only_administrative_parts(text: str | None, expected: AddressParts) -> None:
    assert split_address(text) == expected


@pytest.mark.parametrize(
    ("signed", "valid_until"),
    [
        (date(2022, 12, 29), date(2025, 12, 29)),  # QĐ 3610/QĐ-UBND: 36 months
        (date(2020, 2, 29), date(2023, 2, 28)),  # leap day clamps to the month's end
        (date(2023, 1, 31), date(2026, 1, 31)),
    ],
)
def test_certificates_are_valid_36_months_from_signing(signed: date, valid_until: date) -> None:
    assert add_months(signed, 36) == valid_until


def test_submission_key_needs_a_known_unit_and_period() -> None:
    full = Submission("Quảng Nam", "Thăng Bình", "49", "513", 2022, 2)
    province_wide = Submission("Quảng Nam", None, "49", None, 2022, None)
    assert full.key == "49|513|2022|2"
    assert province_wide.key == "49|-|2022|-"
    # Unknown unit or period: never supersede anything on a guess.
    assert Submission("?", None, None, None, 2022, None).key is None
    assert Submission("Quảng Nam", None, "49", None, None, None).key is None


def test_content_hash_ignores_the_file_name_but_not_the_cells() -> None:
    rows = pd.DataFrame({"source_file": ["a.xlsx"], "source_sheet": ["DS"], "source_row": [9],
                         "product_name": ["Gạo hữu cơ An Lỗ"], "stars": ["4 sao"]})
    renamed = rows.assign(source_file="b.xlsx")
    edited = rows.assign(stars="3 sao")
    assert content_hash(rows) == content_hash(renamed)
    assert content_hash(rows) != content_hash(edited)


def test_split_address_answers_the_same_from_its_cache() -> None:
    text = "Thôn 1, xã Quế Xuân 2, huyện Quế Sơn, tỉnh Quảng Nam"
    first = split_address(text)
    assert split_address(text) == first == _split_address(text)
    assert split_address(None) == AddressParts()
    # Equal text of another type (not a str) is split uncached, to the same parts.
    assert split_address(_Text(text)) == first


class _Text(str):
    """A str subclass: not ``type(value) is str``, so it bypasses the cache."""
