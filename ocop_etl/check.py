"""Read, normalize and validate report files without a database or Prefect.

``check_file`` does one file; ``read_file`` + ``validate_many`` do a batch with ONE pandera call
(pandera costs ~7 ms per call whatever the row count) and split the results back per file.
``ocop-etl validate``, the dry-run flow and ``pipeline`` (which adds the ledger and the load)
all go through here.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ocop_etl.extract import ExtractedReport, read_report
from ocop_etl.extract.limits import ReadLimits, configured_limits
from ocop_etl.feedback.template import read_template_version
from ocop_etl.issues import Issue
from ocop_etl.load.loader import Submission
from ocop_etl.reference.admin_units import AdminResolver
from ocop_etl.schemas import columns as c
from ocop_etl.schemas.recognition import ValidationResult, find_issues, validate_recognitions
from ocop_etl.transforms.normalize import ReportContext, to_canonical


@cache
def shared_resolver() -> AdminResolver:
    """One resolver per process: building it loads ~14k units, resolving is then cached."""
    return AdminResolver()


_warm_lock = threading.Lock()
_warmed = False
_background: threading.Thread | None = None


def warm_up() -> None:
    """Build, once in this process, what every file's work needs before its first row.

    The unit resolver (~14k units), and pandera's schema and validation backends: the first
    ``validate`` call of a process costs ~0.3 s (schema built, modules imported on first
    use, among them pandera's optional dask support when dask is installed: ~1 s more).
    Called before the workers are forked (``ops.workers.worker_pool``), so each inherits both
    instead of paying for them in its first batch. A later call returns at once; a call while
    ``warm_up_in_background`` runs waits for it, so no fork happens halfway.
    """
    global _warmed
    background = _background
    if background is not None and background is not threading.current_thread():
        background.join()
    with _warm_lock:
        if not _warmed:
            _build_once()
            _warmed = True


def warm_up_in_background() -> None:
    """Start ``warm_up`` in a thread, for a process about to wait anyway: ``ocop-etl ingest``
    waits 5-8 s for Prefect's temporary server to start, on the other core. A failure is
    left to the flow's own ``warm_up`` call, which raises it where the run reports it."""
    global _background
    if _background is not None:
        return

    def run() -> None:
        with contextlib.suppress(Exception):
            warm_up()

    _background = threading.Thread(target=run, name="ocop-warm-up", daemon=True)
    _background.start()


def _build_once() -> None:
    resolver = shared_resolver()
    sample = pd.DataFrame(
        {
            c.SOURCE_FILE: ["warm-up.xlsx"],
            c.SOURCE_SHEET: ["Sheet1"],
            c.SOURCE_ROW: [2],
            c.PRODUCT_NAME: ["Gạo ST25"],
            c.PRODUCER: ["HTX Nông nghiệp Quế Xuân"],
            c.STARS: ["4 sao"],
        }
    )
    validate_recognitions(to_canonical(sample, ReportContext(), resolver))


@dataclass(frozen=True)
class CheckedFile:
    """A file read and validated, not (yet) loaded."""

    report: ExtractedReport
    canonical: pd.DataFrame
    result: ValidationResult
    issues: list[Issue]
    submission: Submission


def content_hash(rows: pd.DataFrame) -> str:
    """Hash of what the file *says* (not its bytes): a file re-saved in Excel hashes the same.

    It is the SHA-256 of ``to_csv(index=False)`` of the rows without the file name, columns in
    name order. The ledger compares it with the hashes of files loaded long ago, so that text
    must never change; ``_csv_text`` writes it without ``to_csv`` for the frames ``read_report``
    builds.
    """
    text = _csv_text(rows)
    if text is None:
        body = rows.drop(columns=[c.SOURCE_FILE], errors="ignore")
        body = body.reindex(sorted(body.columns), axis=1)
        text = body.to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# What read_report's columns hold: text-or-None cells, int64 row numbers.
_HASHED_DTYPES = (np.dtype(object), np.dtype(np.int64))


def _csv_text(rows: pd.DataFrame) -> str | None:
    """Exactly what ``to_csv(index=False)`` writes for the hashed columns, or None when the
    frame is not one ``read_report`` builds (text-or-None cells, int64 row numbers).

    ``to_csv`` feeds the stdlib csv writer (its defaults, ``os.linesep``) with each cell as it
    is, missing cells as ""; doing just that skips its per-call set-up, which is most of its
    time on a few hundred rows. Any other dtype (floats, dates…) has formatting rules of its
    own in ``to_csv``: those frames go through ``to_csv`` itself.
    """
    kept = [(name, i) for i, name in enumerate(rows.columns) if name != c.SOURCE_FILE]
    names = [name for name, _ in kept]
    if not names or len(set(names)) < len(names) or not all(isinstance(n, str) for n in names):
        return None
    dtypes = rows.dtypes.tolist()
    if not all(dtypes[i] in _HASHED_DTYPES for _, i in kept):
        return None
    kept.sort()
    names = [name for name, _ in kept]
    # All cells at once, as objects: text cells stay the very str/None/NaN objects, int64
    # ones become the Python ints ``tolist`` gives. One 2-D copy instead of a column look-up
    # (and a copy) per column, which cost more than writing the text.
    cells = rows.to_numpy(dtype=object)[:, [i for _, i in kept]]
    cells[pd.isna(cells)] = ""  # to_csv's na_rep
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=os.linesep)
    writer.writerow(names)
    writer.writerows(cells.tolist())
    return out.getvalue()


def _unanimous(values: pd.Series) -> Any:
    counts = Counter(v for v in values.tolist() if v is not None and not pd.isna(v))
    return next(iter(counts)) if len(counts) == 1 else None


def reporting_unit(
    report: ExtractedReport, canonical: pd.DataFrame, resolver: AdminResolver, report_path: Path
) -> Submission:
    """Who reported and for which period: the report's own title/path first, then the rows."""
    meta = report.meta
    year = meta.year or _unanimous(canonical[c.EVALUATION_YEAR])
    on_date = date(int(year), 6, 30) if year else None
    res = resolver.resolve(meta.province, meta.district, None, on_date=on_date)
    province_code = res.province_code or _unanimous(canonical[c.PROVINCE_CODE])
    district_code = res.district_code if meta.district else None
    return Submission(
        province=meta.province,
        district=meta.district,
        province_code=str(province_code) if province_code else None,
        district_code=district_code,
        year=int(year) if year else None,
        round=meta.round,
        template_version=meta.template_version or read_template_version(report_path),
    )


def check_file(
    path: Path,
    *,
    display_name: str | None = None,
    resolver: AdminResolver | None = None,
    limits: ReadLimits | None = None,
) -> CheckedFile:
    """Extract, normalize and validate one file (no database). Raises FileRejected."""
    read = read_file(path, display_name=display_name, resolver=resolver, limits=limits)
    return read.checked(validate_recognitions(read.canonical))


@dataclass(frozen=True)
class ReadFile:
    """A file extracted and normalized, waiting for validation (alone or in a batch)."""

    report: ExtractedReport
    canonical: pd.DataFrame
    submission: Submission

    def checked(self, result: ValidationResult) -> CheckedFile:
        return CheckedFile(
            report=self.report,
            canonical=self.canonical,
            result=result,
            issues=[*self.report.issues, *result.issues],
            submission=self.submission,
        )


def read_file(
    path: Path,
    *,
    display_name: str | None = None,
    resolver: AdminResolver | None = None,
    limits: ReadLimits | None = None,
) -> ReadFile:
    """Extract and normalize one file (no validation, no database). Raises FileRejected."""
    resolver = resolver or shared_resolver()
    report = read_report(path, display_name=display_name, limits=limits or configured_limits())
    meta = report.meta
    context = ReportContext(
        province=meta.province, district=meta.district, year=meta.year, decision=meta.decision
    )
    canonical = to_canonical(report.rows, context, resolver)
    return ReadFile(
        report=report,
        canonical=canonical,
        submission=reporting_unit(report, canonical, resolver, path),
    )


# Tags the files of a batch apart inside the one frame pandera sees (never in a real name).
_TAG = "\x1f"


def validate_many(frames: Sequence[pd.DataFrame]) -> list[ValidationResult]:
    """``validate_recognitions`` of each frame, with ONE pandera call for all of them.

    pandera costs ~7 ms per call whatever the row count, so a batch of files is validated as
    one concatenated frame and the outcome split back by row position: each file gets exactly
    the valid rows, rejected rows and issues it would get alone. Rules that compare rows
    ("duplicate in the file") must not see a neighbour's rows, so the producer key is tagged
    with the file's position during the call. If the batch cannot be validated as a whole
    (a normalizer bug in one file), each file is validated alone: the error raised is then that
    file's own.
    """
    if len(frames) <= 1:
        return [validate_recognitions(f) for f in frames]
    own = [frame.reset_index(drop=True) for frame in frames]
    try:
        findings = find_issues(_one_frame(own))
    except Exception:  # noqa: BLE001 - isolate the file that breaks validation
        return [validate_recognitions(f) for f in frames]
    return findings.split(own)


def _one_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The files one after another (index 0..n-1), each file's producer keys tagged apart."""
    whole = pd.concat(frames, ignore_index=True)
    tags = [f"{i}{_TAG}" for i, frame in enumerate(frames) for _ in range(len(frame))]
    keys = whole[c.PRODUCER_KEY].fillna("").astype(str).tolist()
    whole[c.PRODUCER_KEY] = pd.Series(
        [tag + key for tag, key in zip(tags, keys, strict=True)], index=whole.index, dtype=str
    )
    return whole


def header_cells(report: ExtractedReport) -> dict[tuple[str, str], str]:
    """(sheet, field) → column letter, for feedback; units point at the address column when
    the report has one address cell instead of Xã/Huyện/Tỉnh columns."""
    cells = dict(report.meta.field_columns)
    for (sheet, name), letter in report.meta.field_columns.items():
        if name == c.ADDRESS:
            for unit in (c.COMMUNE, c.DISTRICT, c.PROVINCE):
                cells.setdefault((sheet, unit), letter)
        if name == c.DECISION:
            for part in (c.DECISION_NO, c.DECISION_DATE):
                cells.setdefault((sheet, part), letter)
    return cells
