"""parse_stars, band_stars, criteria_version."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.stars import StarReading, band_stars, criteria_version, parse_stars


@pytest.mark.parametrize(
    ("value", "stars"),
    [
        (3, 3), (3.0, 3), ("3", 3), ("3 sao", 3), ("3 SAO", 3), ("3*", 3), ("3 *", 3),
        ("***", 3), ("★★★", 3), ("★★★★", 4), ("Ba sao", 3), ("bốn sao", 4), ("năm sao", 5),
        ("Hạng 3 sao", 3), ("Đạt 4 sao", 4), ("4s", 4), ("4.0", 4), ("4,0", 4), ("III", 3),
        ("IV sao", 4), ("hạng 4 sao (****)", 4), ("3 sao (66 điểm)", 3), ("3 sao (***)", 3),
        ("OCOP 3 sao cấp huyện", 3), ("5", 5), (1, 1),
    ],
)  # fmt: skip
def test_accepted_spellings(value: object, stars: int) -> None:
    assert parse_stars(value) == StarReading(stars)


@pytest.mark.parametrize("value", ["5 sao (tiềm năng)", "Tiềm năng 5 sao", "tiềm năng"])
def test_potential_five_star_is_a_flag_not_a_star(value: str) -> None:
    assert parse_stars(value) == StarReading(None, is_potential_5_star=True)


def test_granted_stars_with_pending_five_star_proposal() -> None:
    assert parse_stars("4 sao, tiềm năng 5 sao") == StarReading(4, is_potential_5_star=True)


@pytest.mark.parametrize("value", ["Không đạt", "Chưa đạt", "KHÔNG ĐẠT"])
def test_not_passed(value: str) -> None:
    assert parse_stars(value) == StarReading(None, is_not_passed=True)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("13 sao", "star.out_of_range"), (13, "star.out_of_range"), (0, "star.out_of_range"),
        ("0 sao", "star.out_of_range"), (6.0, "star.out_of_range"), (-1, "star.out_of_range"),
        ("2.5", "star.unparseable"), (2.5, "star.unparseable"), ("abc", "star.unparseable"),
        ("3 sao (****)", "star.unparseable"), ("★★★☆☆", "star.unparseable"), (True, "star.unparseable"),
        ("năm 2020", "star.unparseable"), (float("inf"), "star.unparseable"),
        (None, "star.missing"), ("", "star.missing"), ("  ", "star.missing"), (float("nan"), "star.missing"),
    ],
)  # fmt: skip
def test_rejected_values(value: object, error: str) -> None:
    reading = parse_stars(value)
    assert reading.stars is None
    assert reading.error == error


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.dates(), st.text()))
def test_never_raises_and_stars_are_in_range(value: object) -> None:
    reading = parse_stars(value)
    assert reading.stars is None or 1 <= reading.stars <= 5
    assert (reading.error is None) or reading.stars is None


@pytest.mark.parametrize(
    ("score", "stars"),
    [(0, 1), (29.99, 1), (30, 2), (49.99, 2), (50, 3), (69.99, 3), (70, 4), (70.9, 4),
     (89.99, 4), (90, 5), (95.64, 5), (100, 5)],
)  # fmt: skip
def test_band_edges_are_half_open(score: float, stars: int) -> None:
    assert band_stars(score) == stars


@pytest.mark.parametrize("score", [-0.01, 100.01, float("nan")])
def test_band_refuses_scores_outside_0_100(score: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        band_stars(score)


def test_criteria_version_switches_on_148_signing_day() -> None:
    assert criteria_version(date(2020, 12, 9)) == "1048/QĐ-TTg"
    assert criteria_version(date(2023, 2, 23)) == "1048/QĐ-TTg"
    assert criteria_version(date(2023, 2, 24)) == "148/QĐ-TTg"
    assert criteria_version(date(2025, 6, 26)) == "148/QĐ-TTg"
    assert criteria_version(None) is None
