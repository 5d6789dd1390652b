"""Issue codes are stable, documented once, and messages reach both audiences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ocop_etl.errors import FileRejected
from ocop_etl.issues import CATALOGUE, catalogue_markdown, make_issue

DOC = Path(__file__).resolve().parents[3] / "docs" / "issue-codes.md"


def test_the_documented_table_is_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/issue-codes.md is stale: run `ocop-etl codes --out docs/issue-codes.md`"
    )


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_is_dotted_and_has_both_languages(code: str) -> None:
    spec = CATALOGUE[code]
    assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", code)
    assert spec.severity in {"error", "warning", "file"}
    assert spec.en and spec.vi
    # Vietnamese text for the district really is Vietnamese (has Vietnamese letters).
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", spec.vi.lower())


def test_make_issue_fills_both_messages_with_the_row_context() -> None:
    issue = make_issue(
        "star.score_band_mismatch", source_file="thang-binh_2022.xlsx", source_sheet="DS",
        source_row=12, column="stars", value="4 sao", stars=4, score="62", band_stars=3,
        criteria="1048/QĐ-TTg",
    )
    assert issue.severity == "warning"
    assert "62" in issue.message_vi and "1048/QĐ-TTg" in issue.message_vi
    assert issue.message_en.startswith("4 stars does not match score 62")
    assert (issue.source_sheet, issue.source_row, issue.value) == ("DS", 12, "4 sao")


def test_file_rejection_carries_code_and_both_messages() -> None:
    err = FileRejected("file.unsupported_format", suffix=".pdf")
    assert err.code == "file.unsupported_format"
    assert ".pdf" in err.message_vi and ".pdf" in err.message_en
    assert str(err).startswith("file.unsupported_format: ")
