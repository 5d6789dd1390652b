"""Files end to end: fingerprint → skip → archive → extract → normalize → validate → feedback → load.

Plain functions: the Prefect tasks in ``flows/`` call ``process_batch`` (a batch of files, each
isolated, one pandera call for the batch, one transaction per file) and add retries, naming and
artifacts; tests and the CLI call them directly. Reading and validating without a database is
``ocop_etl.check``. A district's
bad data ends in an outcome (rejected file, rejected rows), never an exception; only
operational problems (database or source unreachable, archive not writable) raise.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from ocop_etl.check import (
    CheckedFile,
    ReadFile,
    check_file,
    content_hash,
    header_cells,
    read_file,
    validate_many,
)
from ocop_etl.errors import FileRejected, OcopEtlError, StorageError, TransientError
from ocop_etl.extract import ExtractedReport
from ocop_etl.extract.limits import ReadLimits
from ocop_etl.feedback.annotate import write_feedback
from ocop_etl.files import archive_raw, fingerprint
from ocop_etl.issues import Issue, make_issue
from ocop_etl.load import ledger
from ocop_etl.load.ledger import FileFacts, FileOutcome
from ocop_etl.load.loader import LoadResult, load_file
from ocop_etl.schemas import columns as c
from ocop_etl.schemas.recognition import ValidationResult, validate_recognitions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    engine: Engine | None  # None for a dry run (validate only, nothing loaded or recorded)
    archive_dir: Path | None
    feedback_dir: Path | None
    load_id: int | None = None
    flow_run_id: str | None = None
    force: bool = False
    # None: the limits configured in the environment (OCOP_MAX_FILE_MB …), read once.
    limits: ReadLimits | None = None


def _feedback(
    facts: FileFacts,
    issues: list[Issue],
    options: RunOptions,
    rejected: pd.DataFrame | None = None,
    report: ExtractedReport | None = None,
) -> str | None:
    if not issues or options.feedback_dir is None:
        return None
    rejected_rows = (
        set(zip(rejected[c.SOURCE_SHEET], rejected[c.SOURCE_ROW].astype(int), strict=True))
        if rejected is not None
        else set()
    )
    return str(
        write_feedback(
            facts.path,
            issues,
            options.feedback_dir,
            header_cells=header_cells(report) if report is not None else None,
            display_name=facts.source_file,
            rejected_rows=rejected_rows,
        )
    )


# What "the database is unreachable" looks like through SQLAlchemy: worth a retry.
DB_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
)


def process_file(path: Path, options: RunOptions) -> FileOutcome:
    """Process one file; returns its outcome. Raises TransientError/StorageError only."""
    return _process([path], options, isolate=False)[0]


def process_batch(paths: Sequence[Path], options: RunOptions) -> list[FileOutcome]:
    """Process several files: one outcome per file, in order, exactly as ``process_file``.

    What is shared is only what is per-call overhead: one ledger query for the files' byte
    hashes, one pandera call for all their rows. Each file is still read and normalized on its
    own, and loaded in its own transaction; a file that breaks (an unexpected error while it
    is read) is recorded 'failed' and its neighbours go on. Raises TransientError only (the
    database is unreachable: retrying the batch skips the files it already loaded).
    """
    return _process(list(paths), options, isolate=True)


@dataclass
class _Pending:
    """A file read and normalized, waiting for the batch's validation and its own load."""

    path: Path
    facts: FileFacts
    outcome: FileOutcome
    archive: str | None
    read: ReadFile


def _process(paths: list[Path], options: RunOptions, *, isolate: bool) -> list[FileOutcome]:
    done: dict[int, FileOutcome] = {}
    pending: dict[int, _Pending] = {}
    facts_of: dict[int, FileFacts] = {}
    for i, path in enumerate(paths):
        try:
            facts_of[i] = fingerprint(path)
        except TransientError as exc:
            if not isolate:
                raise  # one file: the task's retries with backoff handle a flaky source
            # In a batch, a file that vanished or cannot be read fails alone (retried next
            # run); its neighbours go on.
            log.error("%s", exc)
            done[i] = record_failure(path, options, exc)
    try:
        handled: set[str] = set()
        if options.engine is not None and not options.force:
            handled = ledger.handled_hashes(
                options.engine, among={f.byte_sha256 for f in facts_of.values()}
            )
        for i, facts in facts_of.items():
            path = paths[i]
            try:
                done_or_pending = _read_one(path, facts, options, handled)
            except StorageError as exc:
                # Archive or feedback folder not writable / disk full: this file is not loaded
                # (the load is after the archive), it is recorded 'failed' with the reason and
                # retried next run, and the run goes on with its other files.
                log.error("%s", exc)
                done_or_pending = record_failure(
                    path, options, exc, reason_code="run.storage_failed"
                )
            except _OPERATIONAL:
                raise
            except Exception as exc:
                if not isolate:
                    raise
                log.exception("Unexpected error while reading %s", path)
                done_or_pending = record_failure(path, options, exc)
            if isinstance(done_or_pending, _Pending):
                pending[i] = done_or_pending
            else:
                done[i] = done_or_pending
        order, results = _validate(pending, options, done, isolate=isolate)
        for i, result in zip(order, results, strict=True):
            p = pending[i]
            try:
                done[i] = _finish(p, p.read.checked(result), options)
            except StorageError as exc:
                log.error("%s", exc)  # feedback folder not writable: as above
                done[i] = record_failure(p.path, options, exc, reason_code="run.storage_failed")
            except _OPERATIONAL:
                raise
            except Exception as exc:
                if not isolate:
                    raise
                # Its transaction rolled back: nothing of it is loaded; retried next run.
                log.exception("Unexpected error while loading %s", p.path)
                done[i] = record_failure(p.path, options, exc)
    except DB_ERRORS as exc:
        raise TransientError(
            f"Database unreachable while processing {', '.join(p.name for p in paths[:3])}"
            f"{' …' if len(paths) > 3 else ''}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    return [done[i] for i in range(len(paths))]


def _validate(
    pending: dict[int, _Pending],
    options: RunOptions,
    done: dict[int, FileOutcome],
    *,
    isolate: bool,
) -> tuple[list[int], list[ValidationResult]]:
    """One pandera call for the batch; if the batch cannot be validated (a normalizer bug in
    one file), each file alone, and only the file that breaks is recorded 'failed'."""
    order = sorted(pending)
    try:
        return order, validate_many([pending[i].read.canonical for i in order])
    except Exception:  # not swallowed: each file is validated alone below, the broken one fails
        if not isolate:
            raise
    validated: list[int] = []
    results: list[ValidationResult] = []
    for i in order:
        try:
            results.append(validate_recognitions(pending[i].read.canonical))
            validated.append(i)
        except Exception as exc:
            log.exception("Unexpected error while validating %s", pending[i].path)
            done[i] = record_failure(pending[i].path, options, exc)
    return validated, results


# Operational errors a batch must not swallow: the whole task is retried.
_OPERATIONAL: tuple[type[Exception], ...] = (TransientError, *DB_ERRORS)


def _read_one(
    path: Path, facts: FileFacts, options: RunOptions, handled: set[str]
) -> FileOutcome | _Pending:
    """Skip (bytes already handled), archive, extract and normalize one file."""
    outcome = FileOutcome(source_file=facts.source_file, source_path=str(path), status="loaded")
    if facts.byte_sha256 in handled:
        return _skipped(
            facts,
            options,
            outcome,
            "file.duplicate_bytes",
            "The same bytes were already processed.",
        )
    archive = str(archive_raw(facts, options.archive_dir)) if options.archive_dir else None
    try:
        read = read_file(path, display_name=facts.source_file, limits=options.limits)
    except FileRejected as rej:
        return _rejected(facts, options, outcome, rej, archive)
    return _Pending(path=path, facts=facts, outcome=outcome, archive=archive, read=read)


def _finish(p: _Pending, checked: CheckedFile, options: RunOptions) -> FileOutcome:
    """Outcome, feedback, content-hash skip and the file's own load transaction."""
    facts, outcome, archive, engine = p.facts, p.outcome, p.archive, options.engine
    result = checked.result
    outcome.rows_total = len(result.valid) + len(result.rejected)
    outcome.rows_rejected = len(result.rejected)
    outcome.warnings = sum(1 for i in checked.issues if i.severity == "warning")
    sub = checked.submission
    outcome.reporting_unit = ", ".join(p for p in (sub.district, sub.province) if p) or None
    outcome.period = str(sub.year) + (f"/{sub.round}" if sub.round else "") if sub.year else None
    outcome.feedback_path = _feedback(
        facts, checked.issues, options, result.rejected, checked.report
    )
    if engine is None:
        outcome.status = "validated"
        return outcome

    digest = content_hash(checked.report.rows)
    # One connection for the file: the content check, the loader's look-ahead and the file's
    # transaction. A checkout per step cost, on PostgreSQL, a ping and a rollback each: per
    # 200 files, 608 checkouts instead of 200 (SQLAlchemy pool events).
    with engine.connect() as conn:
        skipped = None if options.force else _skip_if_handled(
            conn,
            p,
            options,
            "file.duplicate_content",
            "The same content was already loaded (file re-saved).",
            content_sha256=digest,
        )
        if skipped is not None:
            return skipped
        try:
            loaded = _load(conn, facts, options, checked, digest, archive, outcome.feedback_path)
        except sa_exc.IntegrityError:
            # A concurrent run loaded these bytes (or a newer file for this unit and period)
            # first; the unique indexes stopped a duplicate (and the file's transaction was
            # rolled back). Decide again with fresh eyes.
            skipped = _skip_if_handled(
                conn,
                p,
                options,
                "file.duplicate_bytes",
                "Loaded by a concurrent run.",
                byte_sha256=facts.byte_sha256,
            )
            if skipped is not None:
                return skipped
            loaded = _load(conn, facts, options, checked, digest, archive, outcome.feedback_path)
    outcome.file_id = loaded.file_id
    outcome.rows_loaded = loaded.rows_loaded
    outcome.superseded_file_ids = list(loaded.superseded_file_ids)
    return outcome


def _skip_if_handled(
    conn: Connection, p: _Pending, options: RunOptions, code: str, reason: str, **digest: str
) -> FileOutcome | None:
    """The file's outcome as a duplicate when the ledger already holds these bytes or this
    content (``digest``: ``byte_sha256=`` or ``content_sha256=``); None otherwise."""
    if ledger.handled_file(conn, **digest) is None:
        return None
    conn.rollback()  # the check's read; the duplicate is recorded on its own connection
    return _skipped(p.facts, options, p.outcome, code, reason)


def _load(
    conn: Connection,
    facts: FileFacts,
    options: RunOptions,
    checked: CheckedFile,
    digest: str,
    archive: str | None,
    feedback: str | None,
) -> LoadResult:
    assert options.load_id is not None, "a loading run needs a load_id (ledger.start_load)"
    return load_file(
        conn,
        facts,
        load_id=options.load_id,
        flow_run_id=options.flow_run_id,
        submission=checked.submission,
        valid=checked.result.valid,
        rejected=checked.result.rejected,
        issues=checked.issues,
        content_sha256=digest,
        archive_path=archive,
        raw_rows=checked.report.rows,
        feedback_path=feedback,
    )


def _skipped(
    facts: FileFacts, options: RunOptions, outcome: FileOutcome, code: str, reason: str
) -> FileOutcome:
    outcome.status = "skipped_duplicate"
    outcome.reason_code, outcome.reason_en = code, reason
    assert options.engine is not None and options.load_id is not None
    outcome.file_id = ledger.record_file(
        options.engine,
        facts,
        load_id=options.load_id,
        flow_run_id=options.flow_run_id,
        status="skipped_duplicate",
        reason_code=code,
        reason_en=reason,
    )
    return outcome


def _rejected(
    facts: FileFacts,
    options: RunOptions,
    outcome: FileOutcome,
    rej: FileRejected,
    archive: str | None,
) -> FileOutcome:
    issue = make_issue(rej.code, source_file=facts.source_file, **rej.context)
    outcome.status = "rejected"
    outcome.reason_code, outcome.reason_en = rej.code, rej.message_en
    outcome.feedback_path = _feedback(facts, [issue], options)
    if options.engine is None:
        return outcome
    assert options.load_id is not None
    outcome.file_id = ledger.record_file(
        options.engine,
        facts,
        load_id=options.load_id,
        flow_run_id=options.flow_run_id,
        status="rejected",
        issues=[issue],
        archive_path=archive,
        reason_code=rej.code,
        reason_en=rej.message_en,
        reason_vi=rej.message_vi,
        feedback_path=outcome.feedback_path,
    )
    return outcome


def check_file_outcome(path: Path, options: RunOptions) -> tuple[FileOutcome, list[Issue]]:
    """Validate one file without loading it (``ocop-etl validate``, the dry-run flow)."""
    facts = fingerprint(path)
    outcome = FileOutcome(source_file=facts.source_file, source_path=str(path), status="valid")
    try:
        checked = check_file(path, display_name=facts.source_file, limits=options.limits)
    except FileRejected as rej:
        issue = make_issue(rej.code, source_file=facts.source_file, **rej.context)
        outcome.status, outcome.reason_code, outcome.reason_en = (
            "rejected",
            rej.code,
            rej.message_en,
        )
        outcome.feedback_path = _feedback(facts, [issue], options)
        return outcome, [issue]
    result = checked.result
    outcome.rows_total = len(result.valid) + len(result.rejected)
    outcome.rows_loaded = len(result.valid)
    outcome.rows_rejected = len(result.rejected)
    outcome.warnings = sum(1 for i in checked.issues if i.severity == "warning")
    outcome.feedback_path = _feedback(
        facts, checked.issues, options, result.rejected, checked.report
    )
    return outcome, checked.issues


def open_run(database_url: str, *, source: str, flow_run_id: str | None) -> int:
    """Bring the warehouse to the current schema and open a load in the ledger.

    Raises TransientError (with the URL's password masked) when the database is unreachable.
    """
    from ocop_etl.load.engine import get_engine, mask_url
    from ocop_etl.load.migrate import ensure_current

    try:
        engine = get_engine(database_url)
        ensure_current(engine)
        return ledger.start_load(engine, source=source, flow_run_id=flow_run_id)
    except DB_ERRORS as exc:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise TransientError(
            f"Warehouse {mask_url(database_url)} unreachable: {cause}. "
            "Check that the database server is up and OCOP_DATABASE_URL is right, then retry."
        ) from exc


def record_failure(
    path: Path,
    options: RunOptions,
    error: OcopEtlError | Exception,
    *,
    reason_code: str = "run.failed",
) -> FileOutcome:
    """Record a file whose processing failed for an operational reason (it is retried next run)."""
    outcome = FileOutcome(
        source_file=path.name,
        source_path=str(path),
        status="failed",
        reason_code=reason_code,
        reason_en=str(error).splitlines()[0][:500],
    )
    if options.engine is None or options.load_id is None:
        return outcome
    try:
        facts = fingerprint(path)
        outcome.file_id = ledger.record_file(
            options.engine,
            facts,
            load_id=options.load_id,
            flow_run_id=options.flow_run_id,
            status="failed",
            reason_code=reason_code,
            reason_en=outcome.reason_en,
        )
    # The database may be the very thing that failed: then the log is all we can do.
    except (
        OcopEtlError,
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.TimeoutError,
    ) as exc:
        log.warning("Could not record the failure of %s in the ledger: %s", path.name, exc)
    return outcome
