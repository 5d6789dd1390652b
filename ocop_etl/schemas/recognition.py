"""The canonical OCOP recognition record as a pandera model, and rule failures → issues.

Every check is named by its stable issue code (``ocop_etl.issues.CATALOGUE``), so each row a
check fails maps straight to an issue, and the catalogue's severity decides what happens:
``error`` rejects the row, ``warning`` loads it with the warning recorded. Validation is lazy,
so a district gets every problem of its file in one pass.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrorReason, SchemaErrors
from pandera.typing import Series

from ocop_etl.issues import CATALOGUE, Issue, make_issue
from ocop_etl.schemas import columns as c
from ocop_etl.transforms.stars import band_stars

PROGRAMME_START = date(2018, 1, 1)
LOCAL_LEVELS = ("local", "province", "district")
LEVEL_VI = {"local": "địa phương", "province": "tỉnh", "district": "huyện"}


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


_DATE_CELLS = frozenset({date, type(None)})


def _date_cells(series: pd.Series) -> list[date | None] | None:
    """The cells when each is a ``date`` or None (what ``to_canonical`` writes), else None.

    ``to_datetime`` of such cells is the same date as a Timestamp (or NaT for None) at any
    year, so a comparison with a day reads the same on the cells themselves, without the
    conversion (most of these rules' cost). Exactly ``date``: a datetime carries a time.
    """
    values = series.tolist()
    return values if set(map(type, values)) <= _DATE_CELLS else None


def _date_outside(series: pd.Series, day: date, *, after: bool) -> pd.Series:
    """Rows whose date is after (or before) ``day``; a missing or unreadable date is neither."""
    values = _date_cells(series)
    if values is None:
        dates = _dates(series)
        outside = dates > pd.Timestamp(day) if after else dates < pd.Timestamp(day)
        return outside.fillna(False)
    beyond = operator.gt if after else operator.lt
    flags = [d is not None and beyond(d, day) for d in values]
    return pd.Series(np.array(flags, dtype=bool), index=series.index)


def _between(series: pd.Series, low: float, high: float) -> np.ndarray:
    """``series.isna() | series.between(low, high)`` of a numeric column, as a bool array.

    On the float values (NaN for missing), so that a nullable column is not compared twice
    and combined through its mask (several times the cost on a batch's rows).
    """
    values = series.to_numpy(dtype=float, na_value=np.nan)
    return np.isnan(values) | ((values >= low) & (values <= high))


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

    # Each rule is a vectorized check over the whole frame. ignore_na=False: pandera's default
    # passes a row whose cells are all empty, which costs an isna() over every column of the
    # frame for every rule (most of the validation time), and such a row never gets here: its
    # source_file is empty, and the schema itself rejects that as our bug.

    # --- errors: the row is rejected ---------------------------------------------------------
    @pa.dataframe_check(ignore_na=False, name="product.name_missing")
    def _name_present(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.PRODUCT_NAME].notna()

    @pa.dataframe_check(ignore_na=False, name="star.unparseable")
    def _star_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.STARS_ERROR].ne("star.unparseable")

    @pa.dataframe_check(ignore_na=False, name="star.out_of_range")
    def _star_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        in_range = _between(df[c.STARS], 1, 5)
        return df[c.STARS_ERROR].ne("star.out_of_range") & in_range

    @pa.dataframe_check(ignore_na=False, name="star.missing")
    def _star_present(cls, df: pd.DataFrame) -> Series[bool]:
        return (
            df[c.STARS].notna()
            | df[c.IS_POTENTIAL_5_STAR]
            | df[c.IS_NOT_PASSED]
            # already reported as unparseable / out of range
            | df[c.STARS_ERROR].isin(["star.unparseable", "star.out_of_range"])
        )

    @pa.dataframe_check(ignore_na=False, name="star.not_rated")
    def _star_rated(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df[c.IS_NOT_PASSED].astype(bool)

    @pa.dataframe_check(ignore_na=False, name="score.unparseable")
    def _score_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.SCORE_ERROR].ne("score.unparseable")

    @pa.dataframe_check(ignore_na=False, name="score.out_of_range")
    def _score_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        in_range = _between(df[c.SCORE], 0, 100)
        return df[c.SCORE_ERROR].ne("score.out_of_range") & in_range

    @pa.dataframe_check(ignore_na=False, name="date.unparseable")
    def _date_parsed(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.DATE_ERROR].isna()

    @pa.dataframe_check(ignore_na=False, name="date.in_future")
    def _date_not_future(cls, df: pd.DataFrame) -> Series[bool]:
        return ~_date_outside(df[c.DECISION_DATE], date.today(), after=True)

    @pa.dataframe_check(ignore_na=False, name="date.before_programme")
    def _date_in_programme(cls, df: pd.DataFrame) -> Series[bool]:
        return ~_date_outside(df[c.DECISION_DATE], PROGRAMME_START, after=False)

    @pa.dataframe_check(ignore_na=False, name="product.duplicate_in_file")
    def _unique_in_file(cls, df: pd.DataFrame) -> Series[bool]:
        named = df[c.PRODUCT_KEY].fillna("").ne("")
        return ~(_repeated(df[c.PRODUCER_KEY], df[c.PRODUCT_KEY]) & named)

    # --- warnings: the row loads, the warning is recorded ------------------------------------
    @pa.dataframe_check(ignore_na=False, name="star.below_certification")
    def _certification_level(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df[c.STARS].isin([1, 2]).fillna(False).astype(bool)

    @pa.dataframe_check(ignore_na=False, name="star.score_band_mismatch")
    def _band_agrees(cls, df: pd.DataFrame) -> Series[bool]:
        score = df[c.SCORE].to_numpy(dtype=float, na_value=np.nan)
        stars = df[c.STARS].to_numpy(dtype=float, na_value=np.nan)
        potential = df[c.IS_POTENTIAL_5_STAR].to_numpy(dtype=bool)
        band = _bands(score)
        unscored = ~((score >= 0) & (score <= 100))  # also NaN: nothing to compare
        # "tiềm năng 5 sao": scored in the 5-star band, not (yet) 5 stars
        agrees = np.where(potential, band == 5, np.isnan(stars) | (band == stars))
        return pd.Series(unscored | agrees, index=df.index)

    @pa.dataframe_check(ignore_na=False, name="star.five_star_local_decision")
    def _five_star_central(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df[c.STARS].eq(5).fillna(False) & df[c.ISSUING_LEVEL].isin(LOCAL_LEVELS))

    @pa.dataframe_check(ignore_na=False, name="producer.missing")
    def _producer_present(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.PRODUCER_NAME].notna()

    @pa.dataframe_check(ignore_na=False, name="unit.unresolved")
    def _unit_resolved(cls, df: pd.DataFrame) -> Series[bool]:
        return df[c.UNIT_STATUS].isin(["resolved", "empty"])


def _repeated(producers: pd.Series, products: pd.Series) -> pd.Series:
    """``duplicated(keep="first")`` of the (producer key, product key) pairs.

    Keys are text (str cells) in every canonical frame: then the first position of each pair,
    found by dicts and maps at C speed, answers the same without factorizing both columns
    (the costliest rule on a batch). Other cells (missing keys: pandas puts every NA in one
    group) go through ``duplicated`` itself.
    """
    producer_keys, product_keys = producers.tolist(), products.tolist()
    if not set(map(type, producer_keys)) | set(map(type, product_keys)) <= _TEXT:
        frame = pd.DataFrame({"producer": producers, "product": products}, copy=False)
        return frame.duplicated(keep="first")
    pairs = list(zip(producer_keys, product_keys, strict=True))
    # Filled from the last row up, so each pair keeps its first position.
    first = dict(zip(reversed(pairs), range(len(pairs) - 1, -1, -1), strict=True))
    positions = np.fromiter(map(first.__getitem__, pairs), dtype=np.intp, count=len(pairs))
    return pd.Series(positions != np.arange(len(pairs)), index=producers.index)


_TEXT = frozenset({str})


def _bands(score: np.ndarray) -> np.ndarray:
    """``band_stars`` of every score at once: [0,30)=1 … [90,100]=5 (only read where
    0 <= score <= 100)."""
    return np.digitize(score, (30, 50, 70, 90)) + 1


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


class _Rows:
    """Cell values of a frame by (column, row position), one ``tolist()`` per column read.

    An issue needs a handful of cells of its row; ``frame.loc[i]`` would build a whole-row
    Series per issue. The values are the very objects ``loc`` boxes (``str``, ``None``,
    ``nan`` …), so messages render the same.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._columns: dict[str, list[Any]] = {}

    def column(self, column: str) -> list[Any]:
        if column not in self._columns:
            self._columns[column] = self._frame[column].tolist()
        return self._columns[column]

    def __getitem__(self, key: tuple[str, int]) -> Any:
        column, row = key
        return self.column(column)[row]

    def get(self, column: str, row: int) -> Any:
        """Like ``Series.get`` on the row: None when the frame has no such column."""
        return self[column, row] if column in self._frame.columns else None


# An issue shows the cell as the district wrote it, for the columns that keep their raw text.
_VALUE_FROM = {
    c.STARS: c.STARS_RAW,
    c.SCORE: c.SCORE_RAW,
    c.PRODUCER: c.PRODUCER_NAME,
    c.COMMUNE: c.COMMUNE_RAW,
}


def _value_for(code: str, rows: _Rows, i: int) -> object:
    column = _RULE_COLUMN.get(code, c.STARS)
    if column == c.DECISION_DATE:
        value = rows.get(c.DECISION_DATE, i) or rows.get(c.DECISION_RAW, i)
    else:
        value = rows.get(_VALUE_FROM.get(column, column), i)
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _first_rows(rows: _Rows) -> dict[tuple[Any, Any], int]:
    """(producer key, product key) → the report row where that product first appears."""
    first: dict[tuple[Any, Any], int] = {}
    keys = zip(rows.column(c.PRODUCER_KEY), rows.column(c.PRODUCT_KEY), strict=True)
    for key, row_no in zip(keys, rows.column(c.SOURCE_ROW), strict=True):
        first.setdefault(key, int(row_no))
    return first


def _text_or(value: object, default: str) -> object:
    return default if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _context_for(
    code: str, rows: _Rows, i: int, first_rows: dict[tuple[Any, Any], int]
) -> dict[str, object]:
    ctx: dict[str, object] = {}
    if code == "star.score_band_mismatch":
        score = float(rows[c.SCORE, i])
        ctx.update(
            stars="tiềm năng 5" if rows[c.IS_POTENTIAL_5_STAR, i] else rows[c.STARS, i],
            score=f"{score:g}",
            band_stars=band_stars(score),
            # No decision date nor year (missing: None, or NaN once pandas typed the column)
            # means the rows were scored under the first decision.
            criteria=_text_or(rows.get(c.CRITERIA_VERSION, i), "1048/QĐ-TTg"),
        )
    elif code == "star.five_star_local_decision":
        level = rows.get(c.ISSUING_LEVEL, i) or "local"
        ctx.update(issuing_level=level, issuing_level_vi=LEVEL_VI.get(level, level))
    elif code == "product.duplicate_in_file":
        ctx["first_row"] = first_rows.get((rows[c.PRODUCER_KEY, i], rows[c.PRODUCT_KEY, i]), "?")
    elif code == "unit.unresolved":
        parts = [rows.get(col, i) for col in (c.COMMUNE_RAW, c.DISTRICT_RAW, c.PROVINCE_RAW)]
        ctx["unit"] = ", ".join(str(p) for p in parts if p) or "(trống)"
        cands = rows.get(c.UNIT_CANDIDATES, i)
        ctx["candidates"] = f" (did you mean: {cands}?)" if cands else ""
        ctx["candidates_vi"] = f" (có phải: {cands}?)" if cands else ""
    return ctx


# Every column a rule reads. When a rule fails, pandera copies every cell of each failing row
# of the frame it validates into its failure-case report (a take, an unstack and a str() per
# cell), so it is given only these, not all ~40 canonical columns: that report is most of the
# cost when many rows fail. A rule reading another column still works, on the whole frame
# (see _failing_rows); tests/unit/schemas/test_rule_inputs.py says when this list is short.
RULE_INPUTS = (
    *c.LINEAGE,
    c.PRODUCT_NAME,
    c.PRODUCT_KEY,
    c.PRODUCER_NAME,
    c.PRODUCER_KEY,
    c.STARS,
    c.STARS_ERROR,
    c.IS_POTENTIAL_5_STAR,
    c.IS_NOT_PASSED,
    c.SCORE,
    c.SCORE_ERROR,
    c.DECISION_DATE,
    c.DATE_ERROR,
    c.ISSUING_LEVEL,
    c.UNIT_STATUS,
)


def _failing_rows(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(issue code, positions of the rows that break it) for every rule that fails, in the
    schema's order; raises RuntimeError on a structural failure."""
    try:
        return _rule_failures(frame[[col for col in RULE_INPUTS if col in frame.columns]])
    except RuntimeError:
        # A rule reading a column outside RULE_INPUTS (or a real structural fault, which
        # fails again here): the same rules on the whole frame.
        return _rule_failures(frame)


def _rule_failures(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    try:
        # inplace: the frame is only read (no coercion, no defaults), so pandera's defensive
        # deep copy of every column is pure cost. A shallow copy keeps pandera's accessor
        # state off the caller's frame.
        RecognitionSchema.validate(frame.copy(deep=False), lazy=True, inplace=True)
        return []
    except SchemaErrors as exc:
        errors = exc.schema_errors
    failing = []
    for err in errors:
        code = getattr(err.check, "name", None) or str(err.check)
        output = err.check_output
        if (
            code not in CATALOGUE
            or err.reason_code is not SchemaErrorReason.DATAFRAME_CHECK
            or not isinstance(output, pd.Series)
            or not output.index.equals(frame.index)
        ):
            # A structural failure (dtype, missing column, a rule that crashed) is a bug in
            # our own normalizer or rules, not the district's: fail loudly rather than
            # mis-report it to them.
            raise RuntimeError(f"Canonical frame failed schema check {code!r}: {err}")
        # The rule's own verdict per row, rather than pandera's failure_cases table (which
        # repeats each failing row once per column).
        failing.append((code, np.flatnonzero(~output.to_numpy(dtype=bool, na_value=False))))
    return failing


@dataclass(frozen=True)
class Findings:
    """What the rules found in a frame with a 0..n-1 index: the issues in report order, the
    position of each issue's row, and which rows an error rejects."""

    issues: list[Issue]
    rows: np.ndarray
    rejected: np.ndarray

    def split(self, frames: Sequence[pd.DataFrame]) -> list[ValidationResult]:
        """The result of each frame, when the checked frame was ``frames`` one after another
        (each with a 0..n-1 index)."""
        stops = np.cumsum([len(f) for f in frames])
        owner = np.searchsorted(stops, self.rows, side="right")
        issues_of: list[list[Issue]] = [[] for _ in frames]
        for issue, number in zip(self.issues, owner.tolist(), strict=True):
            issues_of[number].append(issue)
        return [
            _result(frame, self.rejected[stop - len(frame) : stop], issues)
            for frame, stop, issues in zip(frames, stops.tolist(), issues_of, strict=True)
        ]


def _issue(code: str, rows: _Rows, i: int, first_rows: dict[tuple[Any, Any], int]) -> Issue:
    return make_issue(
        code,
        source_file=str(rows[c.SOURCE_FILE, i]),
        source_sheet=str(rows[c.SOURCE_SHEET, i]),
        source_row=int(rows[c.SOURCE_ROW, i]),
        column=_RULE_COLUMN.get(code, c.STARS),
        value=_value_for(code, rows, i),
        **_context_for(code, rows, i, first_rows),
    )


def _result(frame: pd.DataFrame, rejected: np.ndarray, issues: list[Issue]) -> ValidationResult:
    if not rejected.any():
        # Most files reject nothing: skip copying every column through a boolean mask
        # (same frames: all rows with their 0..n-1 index, and no rows).
        return ValidationResult(valid=frame, rejected=frame.iloc[:0], issues=issues)
    return ValidationResult(valid=frame[~rejected], rejected=frame[rejected], issues=issues)


def find_issues(frame: pd.DataFrame) -> Findings:
    """Run every rule lazily on a frame with a 0..n-1 index and turn its failures into issues."""
    rows = _Rows(frame)
    first_rows: dict[tuple[Any, Any], int] = {}
    found: list[tuple[tuple[str, int, str], int, Issue]] = []
    rejected = np.zeros(len(frame), dtype=bool)
    for code, positions in _failing_rows(frame):
        if code == "product.duplicate_in_file":
            first_rows = _first_rows(rows)
        for i in positions.tolist():
            issue = _issue(code, rows, i, first_rows)
            found.append(((issue.source_sheet or "", issue.source_row or 0, code), i, issue))
        if CATALOGUE[code].severity == "error":
            rejected[positions] = True
    found.sort(key=lambda f: f[0])  # report order: sheet, row, code
    return Findings(
        issues=[f[2] for f in found],
        rows=np.array([f[1] for f in found], dtype=np.intp),
        rejected=rejected,
    )


def validate_recognitions(canonical: pd.DataFrame) -> ValidationResult:
    """Run every rule lazily; split rows into valid (warnings allowed) and rejected."""
    frame = canonical.reset_index(drop=True)
    return find_issues(frame).split([frame])[0]
