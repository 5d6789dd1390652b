"""Every OCOP rule, pinned: one row per rule, with the spellings districts really write."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from ocop_etl.check import shared_resolver
from ocop_etl.schemas.recognition import ValidationResult, validate_recognitions
from ocop_etl.transforms.normalize import ReportContext, to_canonical

GOOD = {
    "product_name": 'Gạo "Cái quạt mo"', "producer": "HTX Nông nghiệp Thanh niên Thăng Bình",
    "commune": "TT Hà Lam", "district": "H. Thăng Bình", "province": "Quảng Nam",
    "score": "72,5", "stars": "4 sao", "decision_no": "3610/QĐ-UBND", "decision_date": "29/12/2022",
}


def _check(*rows: dict[str, object], context: ReportContext | None = None) -> ValidationResult:
    frame = pd.DataFrame([
        {"source_file": "thang-binh_2022.xlsx", "source_sheet": "DS", "source_row": 10 + i,
         **{k: (None if v is None else str(v)) for k, v in row.items()}}
        for i, row in enumerate(rows)
    ])
    canonical = to_canonical(frame, context or ReportContext(), shared_resolver())
    return validate_recognitions(canonical)


def _codes(result: ValidationResult) -> list[str]:
    return [i.code for i in result.issues]


def test_a_correct_row_has_no_issue_and_loads() -> None:
    result = _check(GOOD)
    assert result.issues == []
    (row,) = result.valid.to_dict("records")
    assert (row["stars"], row["score"], row["decision_no"]) == (4, 72.5, "3610/QĐ-UBND")
    assert row["valid_until"] == date(2025, 12, 29)
    assert row["criteria_version"] == "1048/QĐ-TTg"


@pytest.mark.parametrize(
    ("change", "code", "severity"),
    [
        ({"product_name": None}, "product.name_missing", "error"),
        ({"stars": "13 sao"}, "star.out_of_range", "error"),
        ({"stars": "2.5"}, "star.unparseable", "error"),
        ({"stars": None, "score": None}, "star.missing", "error"),
        ({"stars": "Không đạt", "score": None}, "star.not_rated", "error"),
        ({"stars": "2 sao", "score": "40"}, "star.below_certification", "warning"),
        ({"stars": "4 sao", "score": "62"}, "star.score_band_mismatch", "warning"),
        ({"stars": "Tiềm năng 5 sao", "score": "85"}, "star.score_band_mismatch", "warning"),
        ({"stars": "5 sao", "score": "94"}, "star.five_star_local_decision", "warning"),
        ({"score": "130"}, "score.out_of_range", "error"),
        ({"score": "7 2,5"}, "score.unparseable", "error"),
        ({"decision_date": "31/02/2021"}, "date.unparseable", "error"),
        ({"decision_date": "15/03/2017"}, "date.before_programme", "error"),
        ({"producer": None}, "producer.missing", "warning"),
        ({"commune": "xã Không Tồn Tại"}, "unit.unresolved", "warning"),
    ],
)
def test_each_rule_reports_its_code_with_its_severity(change: dict[str, object], code: str,
                                                      severity: str) -> None:
    result = _check({**GOOD, **change})
    assert _codes(result) == [code]
    (issue,) = result.issues
    assert issue.severity == severity
    assert (issue.source_file, issue.source_sheet, issue.source_row) == ("thang-binh_2022.xlsx", "DS", 10)
    assert issue.message_vi and issue.message_en
    assert len(result.rejected) == (1 if severity == "error" else 0)
    assert len(result.valid) == (0 if severity == "error" else 1)


def test_a_future_decision_date_is_rejected() -> None:
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    result = _check({**GOOD, "decision_date": tomorrow})
    # (A date after the 2025 reform also looks the units up in the 2025 scheme, where this
    # district no longer exists: that warning is right too.)
    assert "date.in_future" in _codes(result)
    assert len(result.rejected) == 1


def test_every_problem_of_a_row_is_reported_in_one_pass() -> None:
    result = _check({**GOOD, "product_name": None, "stars": "13 sao", "score": "130", "producer": None})
    assert sorted(_codes(result)) == [
        "producer.missing", "product.name_missing", "score.out_of_range", "star.out_of_range"]


def test_potential_five_stars_is_a_flag_not_five_stars() -> None:
    result = _check({**GOOD, "stars": "5 sao (tiềm năng)", "score": "92,3"})
    assert result.issues == []
    (row,) = result.valid.to_dict("records")
    assert pd.isna(row["stars"]) and row["is_potential_5_star"] is True


def test_five_stars_from_the_ministry_is_fine() -> None:
    result = _check({**GOOD, "stars": "5 sao", "score": "94", "decision_no": "2361/QĐ-BNNMT",
                     "decision_date": "26/6/2025"})
    assert result.issues == []
    assert result.valid.iloc[0]["issuing_level"] == "central"


def test_the_band_check_names_the_criteria_in_force_on_the_decision_date() -> None:
    before = _check({**GOOD, "stars": "4 sao", "score": "60", "decision_date": "23/02/2023"})
    after = _check({**GOOD, "stars": "4 sao", "score": "60", "decision_date": "24/02/2023"})
    assert "1048/QĐ-TTg" in before.issues[0].message_vi
    assert "148/QĐ-TTg" in after.issues[0].message_vi
    assert "số điểm này tương ứng 3 sao" in after.issues[0].message_vi


def test_the_same_product_twice_is_rejected_pointing_at_the_first_row() -> None:
    variant = {**GOOD, "producer": "Hợp tác xã NN Thanh niên Thăng Bình"}  # same producer, abbreviated
    result = _check(GOOD, variant)
    (issue,) = result.issues
    assert (issue.code, issue.source_row) == ("product.duplicate_in_file", 11)
    assert "dòng 10" in issue.message_vi


def test_the_same_name_from_different_producers_is_not_a_duplicate() -> None:
    other = {**GOOD, "producer": "Công ty CP Thanh niên Thăng Bình"}
    assert _check(GOOD, other).issues == []


def test_unresolved_units_suggest_candidates() -> None:
    (issue,) = _check({**GOOD, "commune": "xã Quế Xuân 3", "district": "huyện Quế Sơn"}).issues
    assert issue.code == "unit.unresolved"
    assert "Quế Xuân" in issue.message_vi


def test_the_decision_above_the_table_applies_to_rows_without_one() -> None:
    context = ReportContext(decision="(Kèm theo Quyết định số 3678/QĐ-UBND ngày 17/07/2020 "
                                     "của UBND tỉnh Quảng Ninh)")
    result = _check({**GOOD, "decision_no": None, "decision_date": None}, context=context)
    row = result.valid.iloc[0]
    assert (row["decision_no"], row["decision_date"], row["issuing_level"]) == (
        "3678/QĐ-UBND", date(2020, 7, 17), "province")


def test_a_band_mismatch_without_a_criteria_version_names_the_first_decision_not_nan() -> None:
    # No decision date nor year: no criteria version. Typed as text, pandas holds it as NaN.
    frame = pd.DataFrame([{
        "source_file": "a.xlsx", "source_sheet": "DS", "source_row": 10,
        **{k: (None if v is None else str(v)) for k, v in GOOD.items()}, "score": "62",
    }])
    canonical = to_canonical(frame, ReportContext(), shared_resolver())
    canonical["criteria_version"] = pd.Series([None], dtype="str")
    (issue,) = [
        i for i in validate_recognitions(canonical).issues if i.code == "star.score_band_mismatch"
    ]
    assert "1048/QĐ-TTg" in issue.message_vi and "nan" not in issue.message_vi
    assert "1048/QĐ-TTg" in issue.message_en and "nan" not in issue.message_en
