"""The canonical OCOP recognition record as a pandera model, and rule failures → issues.

Every check is named by its stable issue code (``ocop_etl.issues.CATALOGUE``), so pandera's
``failure_cases`` map straight to issues, and the catalogue's severity decides what happens:
``error`` rejects the row, ``warning`` loads it with the warning recorded. Validation is lazy,
so a district gets every problem of its file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

from ocop_etl.issues import CATALOGUE, Issue, make_issue
from ocop_etl.schemas import columns as c
from ocop_etl.transforms.stars import band_stars

PROGRAMME_START = date(2018, 1, 1)
LOCAL_LEVELS = ("local", "province", "district")
LEVEL_VI = {"local": "địa phương", "province": "tỉnh", "district": "huyện"}


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


class RecognitionSchema(pa.DataFrameModel):
    """One product's rating in one report row, after normalization."""

    source_file: Series[str]
    source_sheet: Series[str]
    source_row: Series[int] = pa.Field(ge=1)
    product_name: Series[str] = pa.Field(nullable=True)
    stars: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    score: Series[pd.Float64Dtype] = pa.Field(nullable=True)

    class Config:
        strict = False  # the canonical frame carries raw and key columns besides these
        coerce = False

    # --- errors: the row is rejected ---------------------------------------------------------
    @pa.dataframe_check(name="product.name_missing")
    def _name_present(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.PRODUCT_NAME].notna()

    @pa.dataframe_check(name="star.unparseable")
    def _star_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.STARS_ERROR].ne("star.unparseable")

    @pa.dataframe_check(name="star.out_of_range")
    def _star_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        in_range = df[c.STARS].isna() | df[c.STARS].between(1, 5)
        return df[c.STARS_ERROR].ne("star.out_of_range") & in_range.fillna(True).astype(bool)

    @pa.dataframe_check(name="star.missing")
    def _star_present(cls, df: pd.DataFrame) -> Series[bool]:
        return (
            df[c.STARS].notna()
            | df[c.IS_POTENTIAL_5_STAR]
            | df[c.IS_NOT_PASSED]
            # already reported as unparseable / out of range
            | df[c.STARS_ERROR].isin(["star.unparseable", "star.out_of_range"])
        )

    @pa.dataframe_check(name="star.not_rated")
    def _star_rated(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df[c.IS_NOT_PASSED].astype(bool)

    @pa.dataframe_check(name="score.unparseable")
    def _score_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.SCORE_ERROR].ne("score.unparseable")

    @pa.dataframe_check(name="score.out_of_range")
    def _score_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        in_range = (df[c.SCORE].isna() | df[c.SCORE].between(0, 100)).fillna(True).astype(bool)
        return df[c.SCORE_ERROR].ne("score.out_of_range") & in_range

    @pa.dataframe_check(name="date.unparseable")
    def _date_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.DATE_ERROR].isna()

    @pa.dataframe_check(name="date.in_future")
    def _date_not_future(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(_dates(df[c.DECISION_DATE]) > pd.Timestamp(date.today())).fillna(False)

    @pa.dataframe_check(name="date.before_programme")
    def _date_in_programme(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(_dates(df[c.DECISION_DATE]) < pd.Timestamp(PROGRAMME_START)).fillna(False)

    @pa.dataframe_check(name="product.duplicate_in_file")
    def _unique_in_file(cls, df: pd.DataFrame) -> Series[bool]:
        named = df[c.PRODUCT_KEY].fillna("").ne("")
        dup = df.duplicated(subset=[c.PRODUCER_KEY, c.PRODUCT_KEY], keep="first")
        return ~(dup & named)

    # --- warnings: the row loads, the warning is recorded ------------------------------------
    @pa.dataframe_check(name="star.below_certification")
    def _certification_level(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df[c.STARS].isin([1, 2]).fillna(False).astype(bool)

    @pa.dataframe_check(name="star.score_band_mismatch")
    def _band_agrees(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series(
            [
                _band_ok(s, sc, p)
                for s, sc, p in zip(
                    df[c.STARS], df[c.SCORE], df[c.IS_POTENTIAL_5_STAR], strict=True
                )
            ],
            index=df.index,
        )

    @pa.dataframe_check(name="star.five_star_local_decision")
    def _five_star_central(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df[c.STARS].eq(5).fillna(False) & df[c.ISSUING_LEVEL].isin(LOCAL_LEVELS))

    @pa.dataframe_check(name="producer.missing")
    def _producer_present(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.PRODUCER_NAME].notna()

    @pa.dataframe_check(name="unit.unresolved")
    def _unit_resolved(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.UNIT_STATUS].isin(["resolved", "empty"])


def _band_ok(stars: Any, score: Any, potential: bool) -> bool:
    if pd.isna(score) or not 0 <= score <= 100:
        return True
    if potential:  # "tiềm năng 5 sao": scored in the 5-star band, not (yet) 5 stars
        return bool(band_stars(float(score)) == 5)
    if pd.isna(stars):
        return True
    return bool(band_stars(float(score)) == int(stars))


@dataclass(frozen=True)
class ValidationResult:
    valid: pd.DataFrame  # rows to load (warnings allowed)
    rejected: pd.DataFrame  # rows with at least one error
    issues: list[Issue]

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")


# The column each rule points at, so feedback can highlight the right cell.
_RULE_COLUMN = {
    "product.name_missing": c.PRODUCT_NAME,
    "product.duplicate_in_file": c.PRODUCT_NAME,
    "producer.missing": c.PRODUCER,
    "unit.unresolved": c.COMMUNE,
    "score.unparseable": c.SCORE,
    "score.out_of_range": c.SCORE,
    "date.unparseable": c.DECISION_DATE,
    "date.in_future": c.DECISION_DATE,
    "date.before_programme": c.DECISION_DATE,
}


def _value_for(code: str, row: pd.Series) -> object:
    column = _RULE_COLUMN.get(code, c.STARS)
    raw = {
        c.STARS: row.get(c.STARS_RAW),
        c.SCORE: row.get(c.SCORE_RAW),
        c.PRODUCER: row.get(c.PRODUCER_NAME),
        c.COMMUNE: row.get(c.COMMUNE_RAW),
        c.DECISION_DATE: row.get(c.DECISION_DATE) or row.get(c.DECISION_RAW),
    }
    value = raw.get(column, row.get(column))
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _context_for(
    code: str, row: pd.Series, first_rows: dict[tuple[str, str], int]
) -> dict[str, object]:
    ctx: dict[str, object] = {}
    if code == "star.score_band_mismatch":
        score = float(row[c.SCORE])
        ctx.update(
            stars="tiềm năng 5" if row[c.IS_POTENTIAL_5_STAR] else row[c.STARS],
            score=f"{score:g}",
            band_stars=band_stars(score),
            criteria=row.get(c.CRITERIA_VERSION) or "1048/QĐ-TTg",
        )
    elif code == "star.five_star_local_decision":
        level = row.get(c.ISSUING_LEVEL) or "local"
        ctx.update(issuing_level=level, issuing_level_vi=LEVEL_VI.get(level, level))
    elif code == "product.duplicate_in_file":
        ctx["first_row"] = first_rows.get((row[c.PRODUCER_KEY], row[c.PRODUCT_KEY]), "?")
    elif code == "unit.unresolved":
        parts = [row.get(c.COMMUNE_RAW), row.get(c.DISTRICT_RAW), row.get(c.PROVINCE_RAW)]
        ctx["unit"] = ", ".join(str(p) for p in parts if p) or "(trống)"
        cands = row.get(c.UNIT_CANDIDATES)
        ctx["candidates"] = f" (did you mean: {cands}?)" if cands else ""
        ctx["candidates_vi"] = f" (có phải: {cands}?)" if cands else ""
    return ctx


def validate_recognitions(canonical: pd.DataFrame) -> ValidationResult:
    """Run every rule lazily; split rows into valid (warnings allowed) and rejected."""
    frame = canonical.reset_index(drop=True)
    try:
        RecognitionSchema.validate(frame, lazy=True)
        failures = pd.DataFrame(columns=["check", "index"])
    except SchemaErrors as exc:
        # A dataframe-level check reports each failing row once per column: one issue per row.
        failures = exc.failure_cases[["check", "index"]].drop_duplicates()
    first_rows: dict[tuple[str, str], int] = {}
    for key, row_no in zip(
        zip(frame[c.PRODUCER_KEY], frame[c.PRODUCT_KEY], strict=True),
        frame[c.SOURCE_ROW],
        strict=True,
    ):
        first_rows.setdefault(key, int(row_no))

    issues: list[Issue] = []
    rejected_idx: set[int] = set()
    for check, index in zip(failures["check"], failures["index"], strict=True):
        code = str(check)
        if code not in CATALOGUE or pd.isna(index):
            # A structural failure (dtype, missing column) is a bug in our own normalizer,
            # not the district's: fail loudly rather than mis-report it to them.
            raise RuntimeError(f"Canonical frame failed schema check {code!r} at {index!r}")
        row = frame.loc[int(index)]
        issues.append(
            make_issue(
                code,
                source_file=str(row[c.SOURCE_FILE]),
                source_sheet=str(row[c.SOURCE_SHEET]),
                source_row=int(row[c.SOURCE_ROW]),
                column=_RULE_COLUMN.get(code, c.STARS),
                value=_value_for(code, row),
                **_context_for(code, row, first_rows),
            )
        )
        if CATALOGUE[code].severity == "error":
            rejected_idx.add(int(index))
    issues.sort(key=lambda i: (i.source_sheet or "", i.source_row or 0, i.code))
    mask = frame.index.isin(sorted(rejected_idx))
    return ValidationResult(valid=frame[~mask], rejected=frame[mask], issues=issues)
