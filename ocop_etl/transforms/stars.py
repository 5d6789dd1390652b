"""Star ratings: reading the star cell, deriving stars from a score, and the criteria version.

The star column is free text in practice: ``3``, ``"3 sao"``, ``"3*"``, ``"★★★"``, ``"Ba sao"``,
``"Hạng 4 sao (****)"``, ``"IV sao"``, ``"3 sao (66 điểm)"``, ``"Tiềm năng 5 sao"``,
``"Không đạt"``. ``parse_stars`` reads all of them and refuses to guess on anything else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from ocop_etl.transforms.text import clean_text, is_missing, strip_marks

MIN_STARS, MAX_STARS = 1, 5


@dataclass(frozen=True)
class StarReading:
    """What a star cell says.

    ``stars`` is None when the cell is empty, unreadable, "not passed" or only "potential 5
    stars"; ``error`` tells those cases apart (None for the last two, which are valid data).
    """

    stars: int | None
    is_potential_5_star: bool = False
    is_not_passed: bool = False
    error: str | None = None


_MISSING = StarReading(None, error="star.missing")
_UNPARSEABLE = StarReading(None, error="star.unparseable")
_OUT_OF_RANGE = StarReading(None, error="star.out_of_range")

_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_NUMBER = r"\d+(?:[.,]\d+)?"

_NOT_PASSED = re.compile(r"\b(?:khong|chua)\s+dat\b")
# "5 sao (tiềm năng)", "tiềm năng 5 sao", "tiềm năng": the phrase and the 5 it qualifies.
_POTENTIAL = re.compile(
    r"(?:(?:5|nam)\s*(?:sao|\*+)?\s*\(?\s*)?tiem\s+nang(?:\s*(?:5|nam)\s*(?:sao|\*+)?)?\s*\)?"
)
# A score written next to the stars: "3 sao (66 điểm)", "(95,64/100)".
_SCORE_NOTE = re.compile(rf"{_NUMBER}\s*(?:/\s*100\s*)?(?:diem\b|d\b)|{_NUMBER}\s*/\s*100")
_NUMBER_STARS = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(?:sao\b|s\b|\*+|★+)")
_WORD_STARS = re.compile(r"\b(mot|hai|ba|bon|tu|nam)\s*sao\b")
_ROMAN_STARS = re.compile(r"\b(iv|v|i{1,3})\s*sao\b")
_GLYPHS = re.compile(r"[★*]+")
# Words that may surround a bare number or numeral without changing it.
_FILLER = re.compile(
    r"\b(?:hang|dat|ocop|xep|loai|sao|cap (?:xa|huyen|tinh|quoc gia|trung uong))\b"
    r"|[()\[\]:;]|(?<!\d)[.,-]|[.,-](?!\d)"  # punctuation, but not a decimal point
)


def _number_value(token: str) -> int | None:
    """'4' → 4, '4,0' → 4, '2.5' → None (half stars do not exist)."""
    number = float(token.replace(",", "."))
    return int(number) if number.is_integer() else None


def _check_range(stars: int) -> StarReading:
    if MIN_STARS <= stars <= MAX_STARS:
        return StarReading(stars)
    return _OUT_OF_RANGE


def _read_text(text: str) -> StarReading:
    t = strip_marks(text.casefold())
    if _NOT_PASSED.search(t):
        return StarReading(None, is_not_passed=True)

    potential = bool(_POTENTIAL.search(t))
    t = _POTENTIAL.sub(" ", t)
    t = _SCORE_NOTE.sub(" ", t)

    found: list[int | None] = []
    for m in _NUMBER_STARS.finditer(t):
        found.append(_number_value(m.group(1)))
    t = _NUMBER_STARS.sub(" ", t)
    found += [_WORDS[m.group(1)] for m in _WORD_STARS.finditer(t)]
    t = _WORD_STARS.sub(" ", t)
    found += [_ROMAN[m.group(1)] for m in _ROMAN_STARS.finditer(t)]
    t = _ROMAN_STARS.sub(" ", t)
    # Glyphs count only where no number claimed them: "★★★", "hạng 4 sao (****)".
    found += [len(m.group(0)) for m in _GLYPHS.finditer(t)]
    t = _GLYPHS.sub(" ", t)

    rest = _FILLER.sub(" ", t).split()
    if not found and len(rest) == 1:
        # A bare value alone in the star column: "4", "4.0", "III".
        token = rest[0]
        if re.fullmatch(_NUMBER, token):
            found.append(_number_value(token))
            rest = []
        elif token in _ROMAN:
            found.append(_ROMAN[token])
            rest = []

    if potential and not found and not rest:
        # A score in the 5-star band at province level is only a *proposal* for 5 stars; the
        # star actually granted (if any) is not in this cell, so we do not invent one.
        return StarReading(None, is_potential_5_star=True)
    if rest or not found or None in found or len(set(found)) != 1:
        # Unknown words, half stars, or two different counts ("3 sao (****)"): do not guess.
        return _UNPARSEABLE
    value = found[0]
    assert value is not None  # None was rejected just above; this narrows the type
    reading = _check_range(value)
    if potential and reading.stars is not None:
        # "4 sao, tiềm năng 5 sao": a granted 4 with a pending 5-star proposal.
        return StarReading(reading.stars, is_potential_5_star=True)
    return reading


def parse_stars(value: object) -> StarReading:
    """Read one star cell; never raises.

    >>> parse_stars("Hạng 4 sao (****)").stars
    4
    >>> parse_stars("13 sao").error
    'star.out_of_range'
    >>> parse_stars("Tiềm năng 5 sao")
    StarReading(stars=None, is_potential_5_star=True, is_not_passed=False, error=None)
    """
    if is_missing(value):
        return _MISSING
    if isinstance(value, bool):
        return _UNPARSEABLE
    if isinstance(value, int):
        return _check_range(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return _UNPARSEABLE
        return _check_range(int(value))
    text = clean_text(value)
    if text is None:
        return _MISSING
    return _read_text(text)


def band_stars(score: float) -> int:
    """Stars implied by a 0-100 score (QĐ 1048 and QĐ 148 use the same bands).

    Bands are half-open, as decisions word them ("từ 50 đến dưới 70 điểm"):
    [0,30)=1, [30,50)=2, [50,70)=3, [70,90)=4, [90,100]=5.

    Raises ValueError outside [0, 100]: validate with ``numbers.parse_score`` first.
    """
    if not 0 <= score <= 100:  # also rejects NaN
        raise ValueError(f"score {score!r} is outside 0-100")
    for lower, stars in ((90, 5), (70, 4), (50, 3), (30, 2)):
        if score >= lower:
            return stars
    return 1


CRITERIA_1048 = "1048/QĐ-TTg"
CRITERIA_148 = "148/QĐ-TTg"
# QĐ 148/QĐ-TTg took effect on signing and replaced 1048 (and its amendment 781).
CRITERIA_148_FROM = date(2023, 2, 24)


def criteria_version(decision_date: date | None) -> str | None:
    """The national criteria set in force on a decision date (None when the date is unknown).

    Dates before 1048 itself (21/8/2019) still map to 1048: the 2018-2019 rounds used draft
    criteria that 1048 codified, and the warehouse has no separate version for them.
    """
    if decision_date is None:
        return None
    return CRITERIA_148 if decision_date >= CRITERIA_148_FROM else CRITERIA_1048
