"""issues_to_json, summarize and the feedback file name."""

from __future__ import annotations

import json

import pytest

from ocop_etl.feedback import issues_to_json, summarize
from ocop_etl.feedback.naming import MAX_STEM_CHARS, feedback_file_name
from ocop_etl.issues import make_issue
from tests.unit.feedback.feedback_testdata import build_row_issues


def test_issues_to_json_is_stable_utf8_and_complete() -> None:
    issues = build_row_issues()
    text = issues_to_json(issues)
    assert text == issues_to_json(list(issues))
    assert "Thiếu tên chủ thể" in text  # not \\u escapes
    data = json.loads(text)
    assert [d["code"] for d in data] == [i.code for i in issues]
    assert data[0] == issues[0].as_dict()
    assert list(data[0]) == sorted(data[0])


def test_summarize_counts_by_severity_and_code() -> None:
    issues = [*build_row_issues(), make_issue("file.no_product_rows", source_file="x.xlsx")]
    summary = summarize(issues)
    assert summary["total"] == 9
    assert summary["by_severity"] == {"file": 1, "error": 5, "warning": 3}
    assert summary["by_code"]["star.unparseable"] == 1
    assert list(summary["by_code"]) == sorted(summary["by_code"])
    assert summary["rejected_rows"] == 5  # rows 5, 7, 10, 11, 12
    assert summary["file_rejected"] is True
    assert summarize([])["by_severity"] == {"file": 0, "error": 0, "warning": 0}


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Báo cáo OCOP 2023.xlsx", "Báo cáo OCOP 2023.loi.xlsx"),
        ("huyen.XLS", "huyen.loi.xlsx"),
        ("..\\..\\windows\\evil.ods", "evil.loi.xlsx"),
        ("/etc/passwd", "passwd.loi.xlsx"),
        ("a<b>c|d\x01.xlsx", "a_b_c_d_.loi.xlsx"),
        ("...xlsx", "bao-cao.loi.xlsx"),
        ("", "bao-cao.loi.xlsx"),
        ("CON.xlsx", "_CON.loi.xlsx"),
    ],
)
def test_feedback_file_name_is_safe(display: str, expected: str) -> None:
    assert feedback_file_name(display) == expected


def test_feedback_file_name_is_capped() -> None:
    name = feedback_file_name("Đ" * 500 + ".xlsx")
    assert name == "Đ" * MAX_STEM_CHARS + ".loi.xlsx"
