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
from datetime import date
from typing import Any

import pandas as pd

from ocop_etl.reference.admin_units import AdminResolver
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


def _map_distinct(series: pd.Series, fn: Callable[[Any], Any]) -> list[Any]:
    cache: dict[Hashable, Any] = {}
    out = []
    for value in series.tolist():
        key = value if value is None or isinstance(value, Hashable) else str(value)
        if key not in cache:
            cache[key] = fn(value)
        out.append(cache[key])
    return out


def _missing(value: Any) -> bool:
    """pandas' idea of a missing cell (None, NaN, NA, NaT), for one value."""
    if value is None:
        return True
    if isinstance(value, str) or not pd.api.types.is_scalar(value):
        return False
    return bool(pd.isna(value))


# Plain lists, not Series.where: a report has ~200 rows, where pandas' fixed cost per call is
# most of the time, and these run a dozen times per file.
def _col(rows: pd.DataFrame, name: str) -> pd.Series:
    if name in rows.columns:
        values = [None if _missing(v) else v for v in rows[name].tolist()]
        return pd.Series(values, index=rows.index, dtype=object)
    return pd.Series([None] * len(rows), index=rows.index, dtype=object)


def _coalesce(*series: pd.Series) -> pd.Series:
    """The first value that is not missing, row by row (None when all are)."""
    columns = [s.tolist() for s in series]
    merged = [next((v for v in row if not _missing(v)), None) for row in zip(*columns, strict=True)]
    return pd.Series(merged, index=series[0].index, dtype=object)


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
    """Typed canonical records for the extracted ``rows`` (same index, lineage kept)."""
    out = pd.DataFrame(index=rows.index)
    out[c.SOURCE_FILE] = rows[c.SOURCE_FILE].astype("str")
    out[c.SOURCE_SHEET] = rows[c.SOURCE_SHEET].astype("str")
    out[c.SOURCE_ROW] = rows[c.SOURCE_ROW].astype("int64")

    out[c.PRODUCT_NAME] = pd.Series(
        _map_distinct(_col(rows, c.PRODUCT_NAME), clean_text), index=rows.index, dtype="str"
    )

    producers = _map_distinct(_col(rows, c.PRODUCER), parse_producer)
    out[c.PRODUCER_NAME] = [p.display for p in producers]
    out[c.PRODUCER_TYPE] = [p.producer_type if p.display else None for p in producers]
    out[c.PRODUCER_KEY] = [p.key_exact or "" for p in producers]
    out[c.PRODUCER_KEY_LOOSE] = [p.key_loose or "" for p in producers]
    out[c.PRODUCER_LEGAL_FORM] = [" ".join(p.legal_form) or None for p in producers]
    out[c.PRODUCT_KEY] = _map_distinct(out[c.PRODUCT_NAME], product_key)

    stars_raw = _coalesce(_col(rows, c.STARS), _col(rows, c.STARS_FROM_SECTION))
    stars = _map_distinct(stars_raw, parse_stars)
    out[c.STARS_RAW] = stars_raw
    out[c.STARS] = pd.array([s.stars for s in stars], dtype="Int64")
    out[c.IS_POTENTIAL_5_STAR] = [bool(s.is_potential_5_star) for s in stars]
    out[c.IS_NOT_PASSED] = [bool(s.is_not_passed) for s in stars]
    out[c.STARS_ERROR] = [s.error for s in stars]

    score_raw = _col(rows, c.SCORE)
    scores = _map_distinct(score_raw, parse_score)
    out[c.SCORE_RAW] = score_raw
    out[c.SCORE] = pd.array([s.score for s in scores], dtype="Float64")
    out[c.SCORE_ERROR] = [s.error for s in scores]

    _add_decisions(rows, out, context)
    _add_units(rows, out, context, resolver)

    group_raw = _coalesce(_col(rows, c.PRODUCT_GROUP), _col(rows, c.GROUP_FROM_SECTION))
    out[c.PRODUCT_GROUP_RAW] = group_raw
    taxonomies = [
        taxonomy_for(d, y) if g else None
        for g, d, y in zip(group_raw, out[c.DECISION_DATE], out[c.EVALUATION_YEAR], strict=True)
    ]
    out[c.PRODUCT_GROUP_TAXONOMY] = taxonomies
    codes = [
        match_product_group(g, t) if t else None for g, t in zip(group_raw, taxonomies, strict=True)
    ]
    out[c.PRODUCT_GROUP_CODE] = codes
    out[c.PRODUCT_GROUP_TAXONOMY] = [
        t if code else None for t, code in zip(taxonomies, codes, strict=True)
    ]
    return out


def _add_decisions(rows: pd.DataFrame, out: pd.DataFrame, context: ReportContext) -> None:
    combined = _map_distinct(_col(rows, c.DECISION), parse_decision)
    number_only = _map_distinct(_col(rows, c.DECISION_NO), parse_decision)
    date_raw = _col(rows, c.DECISION_DATE)
    dates = _map_distinct(date_raw, parse_date)

    title = parse_decision(context.decision)
    numbers: list[str | None] = []
    decision_dates: list[date | None] = []
    levels: list[str | None] = []
    errors: list[str | None] = []
    raw_decisions = _coalesce(_col(rows, c.DECISION), _col(rows, c.DECISION_NO)).tolist()
    for comb, num, dt, raw in zip(combined, number_only, dates, raw_decisions, strict=True):
        own = num.number or comb.number
        # A row with no decision of its own falls under the one named above the table.
        numbers.append(own or title.number)
        if own:
            levels.append(issuing_level(num.issuing_level or comb.issuing_level, raw))
        else:
            levels.append(issuing_level(title.issuing_level, context.decision))
        if dt.value is not None and dt.precision == "day":
            decision_dates.append(dt.value)
            errors.append(None)
        else:
            decision_dates.append(
                comb.date or (title.date if not own and dt.value is None else None)
            )
            errors.append(dt.error)
    out[c.DECISION_RAW] = _coalesce(_col(rows, c.DECISION), _col(rows, c.DECISION_NO))
    out[c.DECISION_NO] = numbers
    out[c.DECISION_DATE] = decision_dates
    out[c.DATE_ERROR] = errors
    out[c.ISSUING_LEVEL] = levels

    years = _map_distinct(_col(rows, c.YEAR), parse_date)
    evaluation_year: list[int | None] = []
    for y, dt, yr_from_date in zip(years, decision_dates, dates, strict=True):
        if y.value is not None:
            evaluation_year.append(y.value.year)
        elif dt is not None:
            evaluation_year.append(dt.year)
        elif yr_from_date.value is not None:  # a year-only "decision date" cell
            evaluation_year.append(yr_from_date.value.year)
        else:
            evaluation_year.append(context.year)
    out[c.EVALUATION_YEAR] = pd.array(evaluation_year, dtype="Int64")
    out[c.CRITERIA_VERSION] = [
        criteria_version(d) if d is not None else (criteria_version(date(y, 12, 31)) if y else None)
        for d, y in zip(decision_dates, evaluation_year, strict=True)
    ]
    out[c.VALID_UNTIL] = [
        add_months(d, CERTIFICATE_MONTHS) if d is not None else None for d in decision_dates
    ]


def _add_units(
    rows: pd.DataFrame, out: pd.DataFrame, context: ReportContext, resolver: AdminResolver
) -> None:
    addresses = _map_distinct(_col(rows, c.ADDRESS), split_address)
    commune = _coalesce(
        _col(rows, c.COMMUNE), pd.Series([a.commune for a in addresses], index=rows.index)
    )
    district = _coalesce(
        _col(rows, c.DISTRICT),
        pd.Series([a.district for a in addresses], index=rows.index),
        _col(rows, c.DISTRICT_FROM_SECTION),
        pd.Series([context.district] * len(rows), index=rows.index, dtype=object),
    )
    province = _coalesce(
        _col(rows, c.PROVINCE),
        pd.Series([a.province for a in addresses], index=rows.index),
        pd.Series([context.province] * len(rows), index=rows.index, dtype=object),
    )
    out[c.PROVINCE_RAW] = province
    out[c.DISTRICT_RAW] = district
    out[c.COMMUNE_RAW] = commune

    on_dates = [
        d if d is not None else (date(int(y), 6, 30) if pd.notna(y) else None)
        for d, y in zip(out[c.DECISION_DATE], out[c.EVALUATION_YEAR], strict=True)
    ]
    cache: dict[tuple[Any, ...], Any] = {}
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
