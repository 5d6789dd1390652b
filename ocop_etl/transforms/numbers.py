"""Reading the score column (0-100 points, decimal comma, optional "/100" or "điểm").

The same column mixes Excel floats (72.5) with text ("72,5", "95,64/100", "70,9 điểm", "80đ").
Vietnamese uses "," as the decimal mark and "." for thousands, but a score has at most three
integer digits and two decimals, so either mark is read as decimal. Anything looser (spaces
inside the number, ranges, words) is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ocop_etl.transforms.text import clean_text, is_missing, strip_marks

MIN_SCORE, MAX_SCORE = 0.0, 100.0


@dataclass(frozen=True)
class ScoreReading:
    """A score and, when it is unusable, why. Out-of-range scores keep the number for the report."""

    score: float | None
    error: str | None = None


_EMPTY = ScoreReading(None)
_UNPARSEABLE = ScoreReading(None, "score.unparseable")

# "72,5", "95,64/100", "70,9 điểm", "80đ", "100/100 điểm", "điểm: 72,5" (marks already stripped).
_SCORE_TEXT = re.compile(
    r"(?:diem\s*:?\s*)?(-?\d{1,4}(?:[.,]\d{1,2})?)\s*(?:/\s*100)?\s*(?:diem|d)?\.?"
)


def _checked(score: float) -> ScoreReading:
    if MIN_SCORE <= score <= MAX_SCORE:
        return ScoreReading(score)
    return ScoreReading(score, "score.out_of_range")


def parse_score(value: object) -> ScoreReading:
    """Read one score cell; blank gives ``ScoreReading(None, None)``; never raises.

    >>> parse_score("95,64/100")
    ScoreReading(score=95.64, error=None)
    >>> parse_score("78,66 – 83,54").error
    'score.unparseable'
    """
    # The same scores come back report after report ("72,5", 85.0): read each one once.
    # (NaN is left out: it never equals itself, so every NaN would take a new cache entry.)
    if type(value) is str or (type(value) is float and value == value):
        return _parse_score_cached(value)
    return _parse_score(value)


@lru_cache(maxsize=1 << 16)
def _parse_score_cached(value: str | float) -> ScoreReading:
    return _parse_score(value)


def _parse_score(value: object) -> ScoreReading:
    if is_missing(value):
        return _EMPTY
    if isinstance(value, bool):
        return _UNPARSEABLE
    if isinstance(value, int) and abs(value) > 10**6:
        return ScoreReading(None, "score.out_of_range")  # too big even to convert to float
    if isinstance(value, int | float):
        number = float(value)
        return _checked(number) if math.isfinite(number) else _UNPARSEABLE
    text = clean_text(value)
    if text is None:
        return _EMPTY
    match = _SCORE_TEXT.fullmatch(strip_marks(text.casefold()))
    if match is None:
        return _UNPARSEABLE
    return _checked(float(match.group(1).replace(",", ".")))
