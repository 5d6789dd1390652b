"""The rules' shortcuts give pandas' own answers, on canonical cells and on any others."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from ocop_etl.schemas.recognition import _between, _date_outside, _repeated

DAY = date(2018, 1, 1)


def _pandas_outside(series: pd.Series, day: date, *, after: bool) -> pd.Series:
    dates = pd.to_datetime(series, errors="coerce")
    return (dates > pd.Timestamp(day) if after else dates < pd.Timestamp(day)).fillna(False)


@pytest.mark.parametrize(
    "cells",
    [
        [date(2017, 12, 31), DAY, date(2018, 1, 2), None, date(1, 1, 1), date(9999, 12, 31)],
        [None, None],
        [],
        # not what to_canonical writes: the same answer through to_datetime
        [datetime(2018, 1, 1, 12), "01/02/2017", np.nan, pd.NaT, date(2017, 5, 5)],
    ],
    ids=["dates", "all-missing", "empty", "other-cells"],
)
@pytest.mark.parametrize("after", [True, False])
def test_date_outside_reads_as_to_datetime(cells: list[object], after: bool) -> None:
    series = pd.Series(cells, index=pd.RangeIndex(3, 3 + len(cells)), dtype=object)
    got = _date_outside(series, DAY, after=after)
    pd.testing.assert_series_equal(
        got, _pandas_outside(series, DAY, after=after), check_names=False
    )


@pytest.mark.parametrize(
    "values",
    [
        pd.array([1, 5, 0, 6, None, 3], dtype="Int64"),
        pd.array([0.0, 100.0, 100.5, -0.1, None], dtype="Float64"),
        np.array([1.0, np.nan, 7.0]),
    ],
)
def test_between_is_missing_or_in_range(values: object) -> None:
    series = pd.Series(values)
    expected = (series.isna() | series.between(1, 5)).fillna(True).astype(bool)
    assert _between(series, 1, 5).tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("producers", "products"),
    [
        (["a", "a", "b", "a", "b"], ["x", "x", "x", "y", "x"]),
        (["a", "a", "a"], ["", "", "x"]),
        ([], []),
        # missing keys: pandas' grouping of every NA together
        (["a", "a", None, None, "a"], [None, np.nan, "x", "x", pd.NA]),
    ],
    ids=["text", "empty-keys", "no-rows", "missing-keys"],
)
def test_repeated_is_duplicated_keep_first(producers: list[object], products: list[object]) -> None:
    index = pd.RangeIndex(10, 10 + len(producers))
    left = pd.Series(producers, index=index, dtype=object)
    right = pd.Series(products, index=index, dtype=object)
    expected = pd.DataFrame({"p": left, "q": right}).duplicated(keep="first")
    pd.testing.assert_series_equal(_repeated(left, right), expected, check_names=False)
