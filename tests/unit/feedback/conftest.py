"""Shared fixtures: a small district-style workbook and the issues found in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocop_etl.issues import Issue
from tests.unit.feedback.feedback_testdata import build_district_xlsx, build_row_issues


@pytest.fixture
def district_xlsx(tmp_path: Path) -> Path:
    return build_district_xlsx(tmp_path)


@pytest.fixture
def row_issues() -> list[Issue]:
    return build_row_issues()
