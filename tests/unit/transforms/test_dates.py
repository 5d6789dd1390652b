"""parse_date and parse_decision."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.dates import DateReading, DecisionReading, parse_date, parse_decision

JULY_5 = date(2021, 7, 5)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2021, 7, 5, 14, 30), JULY_5, 44382, 44382.0, 44382.75, "44382",
        "05/07/2021", "5/7/2021", "5/7/21", "05-07-2021", "05.07.2021", "2021-07-05",
        "2021-07-05 00:00:00", "ngày 05 tháng 7 năm 2021", "Ngày 05/07/2021", " 05 / 07 / 2021 ",
    ],
)  # fmt: skip
def test_day_precision_and_day_first(value: object) -> None:
    assert parse_date(value) == DateReading(JULY_5, "day")


def test_real_decision_dates() -> None:
    assert parse_date("ngày 9 tháng 12 năm 2020") == DateReading(date(2020, 12, 9), "day")
    assert parse_date("Ngày 09/12/2020") == DateReading(date(2020, 12, 9), "day")
    assert parse_date("9/12/2020") == DateReading(date(2020, 12, 9), "day")
    assert parse_date("01/8/2022") == DateReading(date(2022, 8, 1), "day")


def test_1904_workbooks() -> None:
    # Same day, 1,462 days apart in the two epochs.
    assert parse_date(44382 - 1462, datemode=1) == DateReading(JULY_5, "day")


@pytest.mark.parametrize("value", ["2019", "năm 2019", "Năm 2019", 2019, 2019.0, "2019.0"])
def test_year_only_keeps_year_precision(value: object) -> None:
    assert parse_date(value) == DateReading(date(2019, 1, 1), "year")


@pytest.mark.parametrize("value", [None, "", float("nan")])
def test_blank_is_not_an_error(value: object) -> None:
    assert parse_date(value) == DateReading(None, None, None)


@pytest.mark.parametrize(
    "value",
    ["31/02/2021", "abc", "13/13/2021", "2019.5", 2019.5, True, 60, 10**9, "05/07", float("inf")],
)
def test_unparseable(value: object) -> None:
    assert parse_date(value) == DateReading(None, None, "date.unparseable")


@given(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.dates(), st.datetimes(), st.text()
    )
)
def test_parse_date_never_raises(value: object) -> None:
    reading = parse_date(value)
    assert (reading.value is None) == (reading.precision is None)


# --- decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("QĐ số 3610/QĐ-UBND ngày 29/12/2022", DecisionReading("3610/QĐ-UBND", date(2022, 12, 29), "local")),
        ("3610/QĐ-UBND", DecisionReading("3610/QĐ-UBND", None, "local")),
        ("2919/QĐ-UBND", DecisionReading("2919/QĐ-UBND", None, "local")),
        ("Quyết định số 377 ngày 17/1/2025", DecisionReading("377", date(2025, 1, 17), None)),
        ("2361/QĐ-BNNMT ngày 26/6/2025", DecisionReading("2361/QĐ-BNNMT", date(2025, 6, 26), "central")),
        ("3610/QD-UBND", DecisionReading("3610/QĐ-UBND", None, "local")),
        ("3610/Qđ-ubnd", DecisionReading("3610/QĐ-UBND", None, "local")),
        ("QĐ số 377 của Bộ NN&PTNT", DecisionReading("377", None, "central")),
        ("148/QĐ-TTg ngày 24/02/2023", DecisionReading("148/QĐ-TTg", date(2023, 2, 24), "central")),
        (
            "Quyết định 1810/QĐ-UBND ngày 01 tháng 8 năm 2022",
            DecisionReading("1810/QĐ-UBND", date(2022, 8, 1), "local"),
        ),
        (None, DecisionReading(None, None, None)),
        ("abc", DecisionReading(None, None, None)),
    ],
)  # fmt: skip
def test_parse_decision(text: object, expected: DecisionReading) -> None:
    assert parse_decision(text) == expected


@given(st.one_of(st.none(), st.integers(), st.floats(), st.dates(), st.text()))
def test_parse_decision_never_raises(value: object) -> None:
    assert isinstance(parse_decision(value), DecisionReading)
