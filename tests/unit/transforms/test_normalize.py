"""The canonical frame's shape: column order, dtypes and per-distinct parsing (to_canonical)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ocop_etl.check import shared_resolver
from ocop_etl.schemas import columns as c
from ocop_etl.transforms import normalize
from ocop_etl.transforms.normalize import ReportContext, to_canonical

COLUMNS = (
    "source_file", "source_sheet", "source_row", "product_name", "producer_name",
    "producer_type", "producer_key", "producer_key_loose", "producer_legal_form", "product_key",
    "stars_raw", "stars", "is_potential_5_star", "is_not_passed", "stars_error", "score_raw",
    "score", "score_error", "decision_raw", "decision_no", "decision_date",
    "decision_date_error", "issuing_level", "evaluation_year", "criteria_version",
    "valid_until", "province_raw", "district_raw", "commune_raw", "unit_scheme",
    "province_code", "district_code", "commune_code", "current_province_code", "unit_status",
    "unit_candidates", "unit_unresolved_level", "product_group_raw", "product_group_taxonomy",
    "product_group_code",
)  # fmt: skip

ROW = {
    "product_name": 'Gạo "Cái quạt mo"', "producer": "HTX Nông nghiệp Thăng Bình",
    "commune": "TT Hà Lam", "district": "H. Thăng Bình", "province": "Quảng Nam",
    "score": "72,5", "stars": "4 sao", "decision_no": "3610/QĐ-UBND",
    "decision_date": "29/12/2022", "product_group": "Thực phẩm",
}  # fmt: skip


def _frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"source_file": "a.xlsx", "source_sheet": "DS", "source_row": 5 + i, **row}
            for i, row in enumerate(rows)
        ]
    )


def test_columns_come_in_a_fixed_order_with_fixed_dtypes() -> None:
    out = to_canonical(_frame(ROW, {**ROW, "stars": "5 sao"}), ReportContext(), shared_resolver())
    assert tuple(out.columns) == COLUMNS
    dtypes = out.dtypes.astype(str).to_dict()
    assert dtypes["source_row"] == "int64"
    assert (dtypes["stars"], dtypes["evaluation_year"], dtypes["score"]) == (
        "Int64",
        "Int64",
        "Float64",
    )
    assert dtypes["is_potential_5_star"] == dtypes["is_not_passed"] == "bool"
    assert dtypes["product_name"] == dtypes["producer_key"] == dtypes["province_code"] == "str"
    # Raw values keep their own types (a score typed as a number stays a number), so the raw
    # columns are object even when every value is text.
    for raw in (c.STARS_RAW, c.SCORE_RAW, c.DECISION_RAW, c.PROVINCE_RAW, c.PRODUCT_GROUP_RAW):
        assert dtypes[raw] == "object", raw
    assert out[c.PRODUCT_GROUP_TAXONOMY].tolist() == ["1048/QĐ-TTg"] * 2
    assert out[c.PRODUCT_GROUP_CODE].notna().all()


def test_the_index_of_the_rows_is_kept() -> None:
    rows = _frame(ROW, {**ROW, "commune": "xã Bình Trung"})
    rows.index = pd.Index([7, 3])
    out = to_canonical(rows, ReportContext(), shared_resolver())
    assert out.index.tolist() == [7, 3]
    assert out[c.COMMUNE_RAW].tolist() == ["TT Hà Lam", "xã Bình Trung"]


def test_each_distinct_value_is_parsed_once_on_its_first_occurrence() -> None:
    calls: list[object] = []

    def parse(value: object) -> str:
        calls.append(value)
        return f"<{value}>"

    values = ["a", None, "b", "a", None, 1, 1.0, ["x"], ["x"]]
    out = normalize._map_distinct(values, parse)
    # 1 and 1.0 are one key (as in a dict); an unhashable cell is keyed by its text.
    assert calls == ["a", None, "b", 1, ["x"]]
    assert out == ["<a>", "<None>", "<b>", "<a>", "<None>", "<1>", "<1>", "<['x']>", "<['x']>"]


def test_report_context_fills_silent_rows() -> None:
    rows = _frame({"product_name": "Mứt gừng", "commune": "TT Hà Lam"})
    context = ReportContext(province="Quảng Nam", district="Thăng Bình", year=2021)
    (row,) = to_canonical(rows, context, shared_resolver()).to_dict("records")
    assert (row[c.PROVINCE_RAW], row[c.DISTRICT_RAW]) == ("Quảng Nam", "Thăng Bình")
    assert (row[c.EVALUATION_YEAR], row[c.COMMUNE_CODE]) == (2021, "20791")


def test_a_group_without_any_date_or_year_loads_under_the_default_taxonomy() -> None:
    # No decision date, no year, no year in the report: the row must not break the file.
    (row,) = to_canonical(
        _frame({"product_group": "Thực phẩm"}), ReportContext(), shared_resolver()
    ).to_dict("records")
    assert pd.isna(row[c.EVALUATION_YEAR])
    assert row[c.PRODUCT_GROUP_TAXONOMY] == "1048/QĐ-TTg"
    assert row[c.PRODUCT_GROUP_CODE] is not None


def test_flag_columns_are_bool_and_an_empty_report_keeps_pandas_dtypes() -> None:
    rows = _frame(ROW, {**ROW, "stars": "tiềm năng 5 sao"})
    out = to_canonical(rows, ReportContext(), shared_resolver())
    assert out[c.IS_POTENTIAL_5_STAR].tolist() == [False, True]
    assert out[c.IS_NOT_PASSED].dtype == bool
    # No rows: pandas makes an empty list float64, and the flags stay what it makes them.
    empty = _frame(ROW).iloc[:0]
    flags = to_canonical(empty, ReportContext(), shared_resolver())[c.IS_NOT_PASSED]
    assert flags.dtype == pd.DataFrame({"x": []}, index=empty.index)["x"].dtype
