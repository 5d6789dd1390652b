"""star.score_band_mismatch, checked for all rows at once, agrees with band_stars row by row."""

from __future__ import annotations

import itertools

import pandas as pd

from ocop_etl.schemas.recognition import RecognitionSchema
from ocop_etl.transforms.stars import band_stars

SCORES = [None, -0.5, 0, 29.99, 30, 49.9, 50, 69.99, 70, 89.5, 90, 99, 100, 100.01]
STARS = [None, 1, 2, 3, 4, 5, 13]


def _agrees(stars: int | None, score: float | None, potential: bool) -> bool:
    """The rule as the catalogue states it, one row at a time."""
    if score is None or not 0 <= score <= 100:
        return True
    if potential:  # "tiềm năng 5 sao": scored in the 5-star band, not (yet) 5 stars
        return band_stars(score) == 5
    return stars is None or band_stars(score) == stars


def test_the_band_rule_agrees_with_band_stars_everywhere() -> None:
    cases = list(itertools.product(STARS, SCORES, [False, True]))
    frame = pd.DataFrame({
        "stars": pd.array([stars for stars, _, _ in cases], dtype="Int64"),
        "score": pd.array([score for _, score, _ in cases], dtype="Float64"),
        "is_potential_5_star": [potential for _, _, potential in cases],
    })
    (rule,) = [check for check in RecognitionSchema.to_schema().checks
               if check.name == "star.score_band_mismatch"]
    assert rule(frame).check_output.tolist() == [_agrees(*case) for case in cases]
