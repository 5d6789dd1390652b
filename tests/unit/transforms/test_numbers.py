"""parse_score."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.numbers import ScoreReading, parse_score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (72.5, 72.5), (96, 96.0), ("96", 96.0), ("72,5", 72.5), ("72.5", 72.5),
        ("95,64/100", 95.64), ("95,64/100 điểm", 95.64), ("70,9 điểm", 70.9), ("80đ", 80.0),
        ("100/100", 100.0), ("0", 0.0), (" 66 điểm ", 66.0),
    ],
)  # fmt: skip
def test_accepted_scores(value: object, score: float) -> None:
    assert parse_score(value) == ScoreReading(score)


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_blank_is_not_an_error(value: object) -> None:
    assert parse_score(value) == ScoreReading(None, None)


@pytest.mark.parametrize(
    "value",
    ["7 2,5", "abc", "78,66 – 83,54", "78,66-83,54", "1.234,5", "72,555", True, float("inf")],
)
def test_unparseable(value: object) -> None:
    assert parse_score(value) == ScoreReading(None, "score.unparseable")


@pytest.mark.parametrize(
    ("value", "score"), [("150", 150.0), (100.5, 100.5), (-3, -3.0), ("-3", -3.0)]
)
def test_out_of_range_keeps_the_number(value: object, score: float) -> None:
    assert parse_score(value) == ScoreReading(score, "score.out_of_range")


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.dates(), st.text()))
def test_never_raises(value: object) -> None:
    reading = parse_score(value)
    if reading.error is None and reading.score is not None:
        assert 0 <= reading.score <= 100
