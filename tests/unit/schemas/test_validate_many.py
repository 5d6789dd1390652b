"""validate_many: one pandera call for a batch, and each file gets what it would get alone."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_etl import check
from ocop_etl.check import validate_many
from ocop_etl.schemas import columns as c
from ocop_etl.schemas.recognition import ValidationResult, validate_recognitions


def _same(got: ValidationResult, alone: ValidationResult) -> None:
    assert got.issues == alone.issues
    assert got.valid.equals(alone.valid) and got.rejected.equals(alone.rejected)
    assert got.valid.index.equals(alone.valid.index)
    assert got.rejected.index.equals(alone.rejected.index)


def test_each_file_of_a_batch_gets_exactly_its_own_result(reports: list[pd.DataFrame]) -> None:
    clean = reports[0][reports[0][c.PRODUCT_NAME].notna()].head(3)  # rejects nothing
    no_producer = reports[1].assign(**{c.PRODUCER_KEY: None})  # missing keys never match
    shifted = reports[2].set_index(reports[2].index + 100)  # not a 0..n-1 index
    frames = [reports[0], clean, no_producer, shifted, reports[0], reports[1].iloc[:0]]
    together = validate_many(frames)
    assert len(together) == len(frames)
    for frame, got in zip(frames, together, strict=True):
        _same(got, validate_recognitions(frame))
    # The same file twice: its rows are no duplicates of each other's.
    assert together[0].issues == together[4].issues
    assert sum(i.code == "product.duplicate_in_file" for i in together[0].issues) > 0


def test_issues_come_in_report_order(reports: list[pd.DataFrame]) -> None:
    for result in validate_many(reports):
        keys = [(i.source_sheet, i.source_row, i.code) for i in result.issues]
        assert keys == sorted(keys)
        assert {i.source_file for i in result.issues} == set(result.valid[c.SOURCE_FILE])


def test_a_batch_that_cannot_be_validated_whole_goes_file_by_file(
    reports: list[pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = [validate_recognitions(f) for f in reports]

    def batch_breaks(frame: pd.DataFrame) -> object:
        if frame[c.SOURCE_FILE].nunique() > 1:
            raise RuntimeError("a normalizer bug seen only in the batch")
        return real(frame)

    real = check.find_issues
    monkeypatch.setattr(check, "find_issues", batch_breaks)
    for got, expected in zip(validate_many(reports), alone, strict=True):
        _same(got, expected)
