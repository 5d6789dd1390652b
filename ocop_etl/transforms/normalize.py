"""Extracted text rows → canonical OCOP recognition records (typed, keyed, resolved).

Every parser runs once per *distinct* value and is mapped back over the column: a national
backfill has ~140k rows but far fewer distinct star, score, date and unit spellings. Parse
failures are kept as codes in ``*_error`` columns; ``schemas.recognition`` turns them, and the
rule checks, into issues. Raw text stays beside every parsed value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ocop_etl.reference.admin_units import AdminResolver, UnitResolution
from ocop_etl.reference.product_groups import match_product_group, taxonomy_for
from ocop_etl.schemas import columns as c
from ocop_etl.transforms.address import split_address
from ocop_etl.transforms.dates import parse_date, parse_decision
from ocop_etl.transforms.numbers import parse_score
from ocop_etl.transforms.producers import parse_producer, product_key
from ocop_etl.transforms.stars import criteria_version, parse_stars
from ocop_etl.transforms.text import clean_text, loose_key

CERTIFICATE_MONTHS = 36


@dataclass(frozen=True)
class ReportContext:
    """What the report as a whole says, used where a row is silent."""

    province: str | None = None
    district: str | None = None
    year: int | None = None
    decision: str | None = None  # the title's decision, for rows that carry none


# Cell types that are hashable and are their own cache key (the common cases, checked first:
# ``isinstance(value, Hashable)`` is an ABC check, slow when run on every cell).
_PLAIN = frozenset({str, float, int, bool, type(None), date, datetime})


def _map_distinct(values: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` of each value, called once per distinct value (on its first occurrence)."""
    if set(map(type, values)) <= _TEXT:
        # Text cells, the common case: equal values are interchangeable, so the distinct ones
        # can be found by dict.fromkeys (first occurrences, in order) at C speed.
        results = {value: fn(value) for value in dict.fromkeys(values)}
        return [results[value] for value in values]
    results = {}
    out = []
    for value in values:
        key = value if type(value) in _PLAIN or isinstance(value, Hashable) else str(value)
        if key not in results:
            results[key] = fn(value)
        out.append(results[key])
    return out


_TEXT = frozenset({str, type(None)})


def _missing(value: Any) -> bool:
    """pandas' idea of a missing cell (None, NaN, NA, NaT), for one value."""
    if value is None:
        return True
    if isinstance(value, str) or not pd.api.types.is_scalar(value):
        return False
    return bool(pd.isna(value))


def _cells(rows: pd.DataFrame, name: str) -> list[Any]:
    """The column's values, missing ones as None; all None when the report has no such column."""
    if name not in rows.columns:
        return [None] * len(rows)
    return [
        v if type(v) is str else (None if _missing(v) else v) for v in rows[name].tolist()
    ]


def _coalesce(*columns: list[Any]) -> list[Any]:
    """The first value that is not None, row by row (None when all are).

    Inputs are ``_cells`` lists or parts derived from them, where missing is always None.
    """
    merged = columns[0]
    for column in columns[1:]:
        merged = [a if a is not None else b for a, b in zip(merged, column, strict=True)]
    return merged


def _objects(values: list[Any], index: pd.Index) -> pd.Series:
    """A raw-value column: object dtype whatever the values (pandas would infer "str")."""
    return pd.Series(values, index=index, dtype=_OBJECT)


_OBJECT = np.dtype(object)


def _flags(values: list[bool]) -> np.ndarray | list[bool]:
    """A column of Python bools as the bool array pandas would infer from the list, without
    its per-cell inference (a sizeable part of building the frame).

    An empty list stays a list: pandas makes that float64, not bool.
    """
    return np.array(values, dtype=bool) if values else values


_DISTRICT_ISSUER = re.compile(r"\b(ubnd|uy ban nhan dan) (huyen|thi xa|quan)\b")
_PROVINCE_ISSUER = re.compile(r"\b(ubnd|uy ban nhan dan) tinh\b")


def issuing_level(reading_level: str | None, text: object) -> str | None:
    """central / province / district / local (a UBND whose level the text does not say).

    "UBND thành phố" stays "local": it is a province for Đà Nẵng and a district for Hội An.
    """
    if reading_level != "local" or text is None:
        return reading_level
    key = loose_key(text)
    if _DISTRICT_ISSUER.search(key):
        return "district"
    if _PROVINCE_ISSUER.search(key):
        return "province"
    return "local"


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (29/2 + 36 months → 28/2)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)  # unreachable: every month has a 28th


def to_canonical(
    rows: pd.DataFrame, context: ReportContext, resolver: AdminResolver
) -> pd.DataFrame:
    """Typed canonical records for the extracted ``rows`` (same index, lineage kept).

    Columns are built as plain lists and the frame once at the end: a report has ~200 rows,
    where pandas' fixed cost per column assignment would be most of the time. Lists get the
    dtype pandas infers for them; raw-value columns are forced to object (``_objects``).
    """
    index = rows.index
    # Resolved once: a dtype given by name is looked up in pandas' registry on every use.
    text = pd.api.types.pandas_dtype("str")
    out: dict[str, Any] = {
        c.SOURCE_FILE: rows[c.SOURCE_FILE].astype(text),
        c.SOURCE_SHEET: rows[c.SOURCE_SHEET].astype(text),
        c.SOURCE_ROW: rows[c.SOURCE_ROW].astype(np.int64),
    }
    product_names = _map_distinct(_cells(rows, c.PRODUCT_NAME), clean_text)
    out[c.PRODUCT_NAME] = pd.Series(product_names, index=index, dtype=text)

    producers = _map_distinct(_cells(rows, c.PRODUCER), parse_producer)
    out[c.PRODUCER_NAME] = [p.display for p in producers]
    out[c.PRODUCER_TYPE] = [p.producer_type if p.display else None for p in producers]
    out[c.PRODUCER_KEY] = [p.key_exact or "" for p in producers]
    out[c.PRODUCER_KEY_LOOSE] = [p.key_loose or "" for p in producers]
    out[c.PRODUCER_LEGAL_FORM] = [" ".join(p.legal_form) or None for p in producers]
    out[c.PRODUCT_KEY] = _map_distinct(out[c.PRODUCT_NAME].tolist(), product_key)

    stars_raw = _coalesce(_cells(rows, c.STARS), _cells(rows, c.STARS_FROM_SECTION))
    stars = _map_distinct(stars_raw, parse_stars)
    out[c.STARS_RAW] = _objects(stars_raw, index)
    out[c.STARS] = pd.array([s.stars for s in stars], dtype=pd.Int64Dtype())
    out[c.IS_POTENTIAL_5_STAR] = _flags([bool(s.is_potential_5_star) for s in stars])
    out[c.IS_NOT_PASSED] = _flags([bool(s.is_not_passed) for s in stars])
    out[c.STARS_ERROR] = [s.error for s in stars]

    score_raw = _cells(rows, c.SCORE)
    scores = _map_distinct(score_raw, parse_score)
    out[c.SCORE_RAW] = _objects(score_raw, index)
    out[c.SCORE] = pd.array([s.score for s in scores], dtype=pd.Float64Dtype())
    out[c.SCORE_ERROR] = [s.error for s in scores]

    decision_dates, years = _add_decisions(rows, out, context)
    _add_units(rows, out, context, resolver, decision_dates, years)
    _add_product_groups(rows, out, decision_dates, years)
    # copy=False: every column above is a fresh list or array that nothing else holds.
    return pd.DataFrame(out, index=index, copy=False)


def _add_decisions(
    rows: pd.DataFrame, out: dict[str, Any], context: ReportContext
) -> tuple[list[date | None], list[Any]]:
    """Decision number/date/level, evaluation year, criteria and validity columns.

    Returns the decision dates and the evaluation years as the year column holds them (int or
    pd.NA), for the unit scheme and the product-group taxonomy.
    """
    decision_cells = _cells(rows, c.DECISION)
    number_cells = _cells(rows, c.DECISION_NO)
    combined = _map_distinct(decision_cells, parse_decision)
    number_only = _map_distinct(number_cells, parse_decision)
    dates = _map_distinct(_cells(rows, c.DECISION_DATE), parse_date)

    title = parse_decision(context.decision)
    title_level = issuing_level(title.issuing_level, context.decision)
    numbers: list[str | None] = []
    decision_dates: list[date | None] = []
    levels: list[str | None] = []
    errors: list[str | None] = []
    raw_decisions = _coalesce(decision_cells, number_cells)
    level_of = _LevelCache()
    for comb, num, dt, raw in zip(combined, number_only, dates, raw_decisions, strict=True):
        own = num.number or comb.number
        # A row with no decision of its own falls under the one named above the table.
        numbers.append(own or title.number)
        if own:
            levels.append(level_of(num.issuing_level or comb.issuing_level, raw))
        else:
            levels.append(title_level)
        if dt.value is not None and dt.precision == "day":
            decision_dates.append(dt.value)
            errors.append(None)
        else:
            decision_dates.append(
                comb.date or (title.date if not own and dt.value is None else None)
            )
            errors.append(dt.error)
    out[c.DECISION_RAW] = _objects(raw_decisions, rows.index)
    out[c.DECISION_NO] = numbers
    out[c.DECISION_DATE] = decision_dates
    out[c.DATE_ERROR] = errors
    out[c.ISSUING_LEVEL] = levels

    year_cells = _map_distinct(_cells(rows, c.YEAR), parse_date)
    evaluation_year: list[int | None] = []
    for y, dt, yr_from_date in zip(year_cells, decision_dates, dates, strict=True):
        if y.value is not None:
            evaluation_year.append(y.value.year)
        elif dt is not None:
            evaluation_year.append(dt.year)
        elif yr_from_date.value is not None:  # a year-only "decision date" cell
            evaluation_year.append(yr_from_date.value.year)
        else:
            evaluation_year.append(context.year)
    year_column = pd.array(evaluation_year, dtype=pd.Int64Dtype())
    out[c.EVALUATION_YEAR] = year_column
    out[c.CRITERIA_VERSION] = [
        criteria_version(d) if d is not None else (criteria_version(date(y, 12, 31)) if y else None)
        for d, y in zip(decision_dates, evaluation_year, strict=True)
    ]
    out[c.VALID_UNTIL] = _map_distinct(decision_dates, _valid_until)
    return decision_dates, year_column.tolist()


def _valid_until(decision_date: date | None) -> date | None:
    return add_months(decision_date, CERTIFICATE_MONTHS) if decision_date is not None else None


class _LevelCache:
    """``issuing_level`` per distinct (level, text) of one report: the same decision repeats."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str | None, str], str | None] = {}

    def __call__(self, level: str | None, text: object) -> str | None:
        if type(text) is not str:
            return issuing_level(level, text)
        key = (level, text)
        if key not in self._seen:
            self._seen[key] = issuing_level(level, text)
        return self._seen[key]


def _add_units(
    rows: pd.DataFrame,
    out: dict[str, Any],
    context: ReportContext,
    resolver: AdminResolver,
    decision_dates: list[date | None],
    years: list[Any],
) -> None:
    addresses = _map_distinct(_cells(rows, c.ADDRESS), split_address)
    n = len(rows)
    commune = _coalesce(_cells(rows, c.COMMUNE), [a.commune for a in addresses])
    district = _coalesce(
        _cells(rows, c.DISTRICT),
        [a.district for a in addresses],
        _cells(rows, c.DISTRICT_FROM_SECTION),
        [_present_or_none(context.district)] * n,
    )
    province = _coalesce(
        _cells(rows, c.PROVINCE),
        [a.province for a in addresses],
        [_present_or_none(context.province)] * n,
    )
    out[c.PROVINCE_RAW] = _objects(province, rows.index)
    out[c.DISTRICT_RAW] = _objects(district, rows.index)
    out[c.COMMUNE_RAW] = _objects(commune, rows.index)

    # ``years`` holds pd.NA for a missing year, as the Int64 column does.
    on_dates = [
        d if d is not None else (date(int(y), 6, 30) if pd.notna(y) else None)
        for d, y in zip(decision_dates, years, strict=True)
    ]
    cache: dict[tuple[Any, ...], UnitResolution] = {}
    resolved = []
    for key in zip(province, district, commune, on_dates, strict=True):
        if key not in cache:
            cache[key] = resolver.resolve(key[0], key[1], key[2], on_date=key[3])
        resolved.append(cache[key])
    out[c.UNIT_SCHEME] = [r.scheme for r in resolved]
    out[c.PROVINCE_CODE] = [r.province_code for r in resolved]
    out[c.DISTRICT_CODE] = [r.district_code for r in resolved]
    out[c.COMMUNE_CODE] = [r.commune_code for r in resolved]
    out[c.CURRENT_PROVINCE_CODE] = [r.current_province_code for r in resolved]
    out[c.UNIT_STATUS] = [r.status for r in resolved]
    out[c.UNIT_CANDIDATES] = [", ".join(r.candidates) if r.candidates else None for r in resolved]
    out[c.UNIT_UNRESOLVED_LEVEL] = [r.unresolved_level for r in resolved]


def _present_or_none(value: Any) -> Any:
    """A report-level value as a cell of its own: missing (NaN, NA…) becomes None."""
    return None if _missing(value) else value


def _add_product_groups(
    rows: pd.DataFrame, out: dict[str, Any], decision_dates: list[date | None], years: list[Any]
) -> None:
    group_raw = _coalesce(_cells(rows, c.PRODUCT_GROUP), _cells(rows, c.GROUP_FROM_SECTION))
    out[c.PRODUCT_GROUP_RAW] = _objects(group_raw, rows.index)
    taxonomies = [
        # A row with neither a date nor a year (nor a year in the report) gets taxonomy_for's
        # default; its period.unknown issue already tells the district what is missing.
        taxonomy_for(d, None if _missing(y) else y) if g else None
        for g, d, y in zip(group_raw, decision_dates, years, strict=True)
    ]
    # Reports name few groups, in few wordings: match each (wording, taxonomy) once.
    matched: dict[tuple[str, str], str | None] = {}
    codes: list[str | None] = []
    for g, t in zip(group_raw, taxonomies, strict=True):
        if not t:
            codes.append(None)
        elif type(g) is not str:
            codes.append(match_product_group(g, t))
        else:
            if (g, t) not in matched:
                matched[(g, t)] = match_product_group(g, t)
            codes.append(matched[(g, t)])
    out[c.PRODUCT_GROUP_TAXONOMY] = [
        t if code else None for t, code in zip(taxonomies, codes, strict=True)
    ]
    out[c.PRODUCT_GROUP_CODE] = codes
