"""Reading dates and decision references ("QĐ số 3610/QĐ-UBND ngày 29/12/2022").

Dates arrive as datetime objects, Excel serial numbers, day-first text in several spellings,
Vietnamese words ("ngày 9 tháng 12 năm 2020") or just a year. Text is ALWAYS day-first:
"05/07/2021" is 5 July, never 7 May. A year alone is kept as a year (precision "year") instead
of pretending it is 1 January.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from ocop_etl.transforms.text import clean_text, is_missing, strip_marks

Precision = Literal["day", "year"]
IssuingLevel = Literal["central", "local"]

# Dates outside this window are not OCOP dates (the programme began in 2018); the window also
# keeps Excel serials (32874 = 1990-01-01) apart from bare years (1990-2100).
MIN_DATE, MAX_DATE = date(1990, 1, 1), date(2100, 12, 31)

# 1900 system: serial 1 = 1900-01-01, but Excel counts a 29 Feb 1900 that never was, so from
# serial 61 on the epoch is 1899-12-30. Serials that small are outside MIN_DATE anyway.
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)


@dataclass(frozen=True)
class DateReading:
    value: date | None
    precision: Precision | None = None
    error: str | None = None


@dataclass(frozen=True)
class DecisionReading:
    """A decision reference: "3610/QĐ-UBND", its date, and who issued it."""

    number: str | None
    date: date | None
    issuing_level: IssuingLevel | None


_EMPTY = DateReading(None)
_UNPARSEABLE = DateReading(None, None, "date.unparseable")

_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# ISO first: a day-first pattern would read "2021-07-05" as 20/21-07-05.
_ISO = re.compile(rf"(?<!\d)(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}(?!\d)")
_DMY = re.compile(r"(?<![\d.,/-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/.-]\d)")
_WORDS = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*,?\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})(?!\d)")
_YEAR = re.compile(r"(?:nam\s*)?(\d{4})")
_PREFIX = re.compile(r"^(?:ngay|date)\s*:?\s*")


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        # Two-digit years in these reports are all this century; 70-99 kept for old archives.
        year += 2000 if year < 70 else 1900
    try:
        made = date(year, month, day)
    except ValueError:
        return None  # 31/02/2021 and friends
    return made if MIN_DATE <= made <= MAX_DATE else None


def _from_match(m: re.Match[str], kind: str) -> date | None:
    if kind == "iso":
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind == "dmy":
        return _make_date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


_PATTERNS = (("iso", _ISO), ("dmy", _DMY), ("words", _WORDS))


def find_date(text: str) -> date | None:
    """The first day-precision date written anywhere in ``text`` (marks already stripped)."""
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if m is not None:
            return _from_match(m, kind)
    return None


def _year_reading(year: int) -> DateReading:
    made = _make_date(year, 1, 1)
    return DateReading(made, "year") if made is not None else _UNPARSEABLE


def _from_number(number: float, datemode: int) -> DateReading:
    if not math.isfinite(number):
        return _UNPARSEABLE
    if number.is_integer() and MIN_DATE.year <= number <= MAX_DATE.year:
        return _year_reading(int(number))
    epoch = _EPOCH_1904 if datemode == 1 else _EPOCH_1900
    # The fraction is the time of day; a decision date only needs the day.
    days = math.floor(number)
    if not 0 < days < 200_000:
        return _UNPARSEABLE
    made = epoch + timedelta(days=days)
    if not MIN_DATE <= made <= MAX_DATE:
        return _UNPARSEABLE
    return DateReading(made, "day")


def _from_text(text: str, datemode: int) -> DateReading:
    t = strip_marks(text.casefold()).strip(" .,;")
    t = _PREFIX.sub("", t)
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(t)
        if m is not None:
            made = _from_match(m, kind)
            return DateReading(made, "day") if made is not None else _UNPARSEABLE
    m = _YEAR.fullmatch(t)
    if m is not None:
        return _year_reading(int(m.group(1)))
    # "2019.0" or "44382": a year or a serial that went through str() somewhere upstream.
    if re.fullmatch(r"\d{4,5}(?:\.\d+)?", t):
        return _from_number(float(t), datemode)
    return _UNPARSEABLE


def parse_date(value: object, *, datemode: int = 0) -> DateReading:
    """Read one date cell; blank gives ``DateReading(None, None, None)``; never raises.

    ``datemode`` is the workbook's epoch (xlrd ``book.datemode``): 0 = 1900, 1 = 1904.

    >>> parse_date("05/07/2021")
    DateReading(value=datetime.date(2021, 7, 5), precision='day', error=None)
    >>> parse_date("năm 2019")
    DateReading(value=datetime.date(2019, 1, 1), precision='year', error=None)
    """
    if is_missing(value):
        return _EMPTY
    if isinstance(value, datetime):
        made: date = value.date()
        return DateReading(made, "day")
    if isinstance(value, date):
        return DateReading(value, "day")
    if isinstance(value, bool):
        return _UNPARSEABLE
    if isinstance(value, int) and abs(value) > 10**6:
        return _UNPARSEABLE  # no date serial is that big, and float() could overflow
    if isinstance(value, int | float):
        return _from_number(float(value), datemode)
    text = clean_text(value)
    if text is None:
        return _EMPTY
    return _from_text(text, datemode)


# --- decision references -----------------------------------------------------------------------

# "3610/QĐ-UBND", "3610/QD-UBND", "19/2025/QĐ-TTg", "2361/QĐ-BNNMT", "1234/QĐ-BNN-KTHT".
# Matched on the cleaned text (Đ kept) with ignore-case; QD/Qđ/QĐ all accepted.
_DECISION_NO = re.compile(
    r"(?<!\d)(\d{1,6})\s*/\s*(?:(\d{4})\s*/\s*)?q\s*[dđ]\s*-\s*([0-9a-zđ&]+(?:\s*-\s*[0-9a-zđ&]+)*)",
    re.IGNORECASE,
)
# "Quyết định số 377", "QĐ số 377", "số: 377" (marks stripped).
_BARE_NO = re.compile(
    r"(?:\bquyet\s+dinh|\bqd)\s*(?:so)?\s*:?\s*(\d{1,6})(?![\d/])|\bso\s*:?\s*(\d{1,6})(?![\d/])"
)
_CENTRAL = re.compile(r"qd\s*-\s*(?:bnn|ttg)|\bbo\s+(?:nn|nong\s+nghiep)|\bbnn")
_LOCAL = re.compile(r"\bubnd\b|qd\s*-\s*ub\b")


def _normalise_suffix(suffix: str) -> str:
    parts = [p.strip().upper() for p in suffix.split("-")]
    # TTg (Thủ tướng) is the one issuer written in mixed case.
    return "-".join("TTg" if p == "TTG" else p for p in parts)


def parse_decision(text: object) -> DecisionReading:
    """Split a decision reference into number, date and issuing level; never raises.

    Ministry decisions (QĐ-BNN…, QĐ-BNNMT, "Bộ NN&PTNT") and the Prime Minister's (QĐ-TTg) are
    "central"; People's Committees (QĐ-UBND) are "local"; anything else is None.

    >>> parse_decision("QĐ số 3610/QĐ-UBND ngày 29/12/2022")
    DecisionReading(number='3610/QĐ-UBND', date=datetime.date(2022, 12, 29), issuing_level='local')
    """
    cleaned = clean_text(text)
    if cleaned is None:
        return DecisionReading(None, None, None)
    folded = strip_marks(cleaned.casefold())

    number: str | None = None
    m = _DECISION_NO.search(cleaned)
    if m is not None:
        year = f"{m.group(2)}/" if m.group(2) else ""
        number = f"{int(m.group(1))}/{year}QĐ-{_normalise_suffix(m.group(3))}"
    else:
        bare = _BARE_NO.search(folded)
        if bare is not None:
            number = str(int(bare.group(1) or bare.group(2)))
        elif re.fullmatch(r"\d{1,6}", folded):
            number = str(int(folded))

    level: IssuingLevel | None = None
    if _CENTRAL.search(folded):
        level = "central"
    elif _LOCAL.search(folded):
        level = "local"

    return DecisionReading(number, find_date(folded), level)
