"""Canonical frames in which every rule fires, as ``to_canonical`` builds them."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from ocop_etl.check import shared_resolver
from ocop_etl.transforms.normalize import ReportContext, to_canonical

GOOD = {
    "product_name": "Gạo hữu cơ", "producer": "HTX Nông nghiệp Thanh niên Thăng Bình",
    "commune": "TT Hà Lam", "district": "H. Thăng Bình", "province": "Quảng Nam",
    "score": "72,5", "stars": "4 sao", "decision_no": "3610/QĐ-UBND", "decision_date": "29/12/2022",
}

# One change per rule (and a few rows breaking several), as districts write them.
BREAKS: list[dict[str, str | None]] = [
    {"product_name": None},
    {"stars": "13 sao"},
    {"stars": "2.5"},
    {"stars": None, "score": None},
    {"stars": "Không đạt", "score": None},
    {"stars": "2 sao", "score": "40"},
    {"stars": "4 sao", "score": "62"},
    {"stars": "Tiềm năng 5 sao", "score": "85"},
    {"stars": "5 sao", "score": "94"},
    {"score": "130"},
    {"score": "7 2,5"},
    {"decision_date": "31/02/2021"},
    {"decision_date": "15/03/2017"},
    {"decision_date": (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")},
    {"producer": None},
    {"commune": "xã Quế Xuân 3", "district": "huyện Quế Sơn"},
    {"product_name": None, "stars": "13 sao", "score": "130", "producer": None},
]


def canonical_report(name: str, products: list[str], sheet: str = "DS") -> pd.DataFrame:
    """A report whose rows are GOOD with each break, for each product name; the first two
    products come twice more (the second time by an abbreviated producer: a duplicate)."""
    rows: list[dict[str, str | None]] = []
    for product in products:
        rows += [{**GOOD, "product_name": product, **change} for change in BREAKS]
    for product in products[:2]:
        rows.append({**GOOD, "product_name": product})
        rows.append({**GOOD, "product_name": product, "producer": "Hợp tác xã NN Thanh niên Thăng Bình"})
    frame = pd.DataFrame([
        {"source_file": name, "source_sheet": sheet, "source_row": 5 + i, **row}
        for i, row in enumerate(rows)
    ])
    return to_canonical(frame, ReportContext(), shared_resolver())


@pytest.fixture(scope="module")
def reports() -> list[pd.DataFrame]:
    """Three reports; two share a sheet name and row numbers, all share product names."""
    return [
        canonical_report("thang-binh_2022.xlsx", ["Gạo hữu cơ", "Mật ong rừng", "Trà xanh"]),
        canonical_report("que-son_2022.xlsx", ["Gạo hữu cơ", "Nước mắm nhĩ"]),
        canonical_report("hoi-an_2023.xlsx", ["Mật ong rừng", "Gạo hữu cơ"], sheet="Danh sách"),
    ]
