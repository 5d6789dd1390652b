"""The report's period (year, round) and reporting unit (province, district).

Looked for in this order, each field taking the first source that gives exactly one answer:
1. the title block above the header ("UBND TỈNH QUẢNG NAM", "UBND HUYỆN THĂNG BÌNH",
   "DANH SÁCH … NĂM 2022", "ĐỢT 2");
2. the rows (a year/province/district column with a single value throughout);
3. the decision ("Kèm theo Quyết định … ngày 29/12/2022", decision/decision-date columns);
4. the file's path: inbox-relative folders "<province>/<district>/" and a year or "dot-2" in
   any folder or file name ("Thang Binh - OCOP 2022.xlsx").
Two different answers from the same source mean "unknown" — a value is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath
from typing import TypeVar

from ocop_etl.extract import phrases
from ocop_etl.schemas import columns

_PATH_ROOT = "inbox"


@dataclass(frozen=True)
class Found:
    province: str | None = None
    district: str | None = None
    year: int | None = None
    round: int | None = None
    title: str | None = None

    def merged_with(self, later: Found) -> Found:
        """Fields still unknown here are taken from ``later`` (a lower-priority source)."""
        return Found(
            province=self.province or later.province,
            district=self.district or later.district,
            year=self.year or later.year,
            round=self.round or later.round,
            title=self.title or later.title,
        )


T = TypeVar("T")


def _single(values: Iterable[T | None]) -> T | None:
    distinct = {v for v in values if v is not None}
    return distinct.pop() if len(distinct) == 1 else None


def _unit_name(text: str, m: re.Match[str]) -> str:
    name = text[m.start("name"):m.end("name")].strip(" .,-")
    # Title blocks are in capitals; the name is kept as written but title-cased so it reads
    # like the rows ("QUẢNG NAM" → "Quảng Nam"). Mixed-case names are left untouched.
    return name.title() if name.isupper() else name


def _round(folded: str) -> int | None:
    m = phrases.ROUND.search(folded)
    if not m:
        return None
    token = m["round"]
    return int(token) if token.isdigit() else phrases.ROMAN.get(token)


def from_title(lines: Sequence[str]) -> Found:
    """Unit, year, round and title from the lines above the header (decision lines excluded)."""
    provinces: list[str] = []
    districts: list[str] = []
    years: list[int] = []
    rounds: list[int | None] = []
    title = None
    for text in lines:
        folded = phrases.fold(text)
        if phrases.MOTTO.match(folded) or phrases.DECISION_LINE.search(folded):
            continue
        if m := phrases.PROVINCE_UNIT.match(folded):
            provinces.append(_unit_name(text, m))
        elif m := phrases.CITY_UNIT.match(folded):
            name = _unit_name(text, m)
            is_central = phrases.fold(name).strip() in phrases.CENTRAL_CITIES
            (provinces if is_central else districts).append(name)
        elif m := phrases.DISTRICT_UNIT.match(folded):
            districts.append(_unit_name(text, m))
        if m := phrases.AREA_PROVINCE.search(folded):
            provinces.append(_unit_name(text, m))
        if m := phrases.AREA_DISTRICT.search(folded):
            districts.append(_unit_name(text, m))
        if title is None and phrases.TITLE_LINE.match(folded):
            title = text
        year_hits = [int(y["year"]) for y in phrases.YEAR_AFTER_NAM.finditer(folded)]
        if not year_hits and phrases.TITLE_LINE.match(folded):
            year_hits = [int(y["year"]) for y in phrases.ANY_YEAR.finditer(folded)]
        years.extend(year_hits)
        rounds.append(_round(folded))
    return Found(
        province=_single(provinces),
        district=_single(districts),
        year=_single(years),
        round=_single(rounds),
        title=title,
    )


def _year_of(value: str | None) -> int | None:
    if not value:
        return None
    m = re.match(r"^\s*(20\d\d)(?:\.0)?\s*$", value)
    if m:
        return int(m.group(1))
    return _decision_year(value)


# Asked for every row's decision and decision date, which repeat down a sheet.
@lru_cache(maxsize=1 << 12)
def _decision_year(text: str) -> int | None:
    matches = [*phrases.NUMERIC_DATE.finditer(text), *phrases.WORDY_DATE.finditer(phrases.fold(text))]
    years = {int(m["year"]) for m in matches}
    return years.pop() if len(years) == 1 else None


# The fields ``from_rows`` and ``from_decision`` read.
ROW_FIELDS = (
    columns.PROVINCE,
    columns.DISTRICT,
    columns.YEAR,
    columns.DECISION,
    columns.DECISION_DATE,
)
# field → that field's value in every row (a field no sheet has may be left out).
RowColumns = Mapping[str, Sequence[str | None]]


def from_rows(rows: RowColumns) -> Found:
    """A year/province/district column counts only when every row that fills it agrees."""
    # A year column repeats one value down the sheet: parse each distinct value once (the
    # distinct years are the same either way).
    return Found(
        province=_single(rows.get(columns.PROVINCE, ())),
        district=_single(rows.get(columns.DISTRICT, ())),
        year=_single(map(_year_of, set(rows.get(columns.YEAR, ())))),
    )


def title_decision(title_lines: Sequence[str]) -> str | None:
    """The "(Kèm theo Quyết định số … ngày …)" line, when the title block has exactly one.

    Lists that carry the decision only above the table apply it to every row.
    """
    lines = {t for t in title_lines if phrases.DECISION_LINE.search(phrases.fold(t))}
    return lines.pop() if len(lines) == 1 else None


def from_decision(title_lines: Sequence[str], rows: RowColumns) -> Found:
    """The year of the decision: the "(Kèm theo Quyết định …)" line, else the rows' dates."""
    decision_lines = [t for t in title_lines if phrases.DECISION_LINE.search(phrases.fold(t))]
    year = _single(_decision_year(t) for t in decision_lines)
    if year is None:
        fields = (columns.DECISION, columns.DECISION_DATE)
        texts = {v or "" for f in fields for v in rows.get(f, ())}
        year = _single(map(_decision_year, texts))
    return Found(year=year)


def _deslug(name: str) -> str:
    return " ".join(re.split(r"[-_\s]+", name)).strip().title()


def from_path(path: PurePath, display_name: str | None) -> Found:
    """Year/round from folder and file names; province/district from inbox-relative folders.

    Folders count as units only below a folder named ``inbox`` or in a relative
    ``display_name`` ("quang-nam/thang-binh/2022_ocop.xlsx"): elsewhere a folder is a
    machine's directory, not a province.
    """
    parts = list(path.parts)
    lowered = [p.casefold() for p in parts]
    if _PATH_ROOT in lowered:
        folders = parts[len(lowered) - lowered[::-1].index(_PATH_ROOT):-1]
    elif display_name and not PurePath(display_name).is_absolute():
        folders = list(PurePath(display_name).parts[:-1])
    else:
        folders = []
    names = [*folders, path.stem if not display_name else PurePath(display_name).stem]
    folded = [phrases.fold(n) for n in names]
    years = [int(m["year"]) for f in folded for m in phrases.ANY_YEAR.finditer(f)]
    unit_folders = [f for f in folders if not phrases.ANY_YEAR.search(f)]
    return Found(
        province=_deslug(unit_folders[0]) if unit_folders else None,
        district=_deslug(unit_folders[1]) if len(unit_folders) > 1 else None,
        year=_single(years),
        round=_single(_round(f) for f in folded),
    )
