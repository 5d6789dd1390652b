"""What every OCOP flow does around its files: open the run, fan out, summarise, publish.

Called from inside a flow (``nightly``, ``ingest``, ``reload``, ``validate``). Decisions live in
``ocop_etl``; this module only orchestrates: tasks on the configured task runner, one log line
per file outcome (one log record per batch), the run's artifacts, and a Failed state whose
message says what to do.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.states import Failed, State

from flows.tasks import (
    TaskSpec,
    check_files,
    discover_files,
    find_reload_files,
    prepare_warehouse,
    process_files,
)
from ocop_etl.check import warm_up
from ocop_etl.config import Settings
from ocop_etl.errors import OcopEtlError, OperationalError
from ocop_etl.load import ledger
from ocop_etl.load.checkpoints import background_checkpoints
from ocop_etl.load.engine import get_engine, mask_url
from ocop_etl.load.ledger import FileOutcome
from ocop_etl.ops import summary as run_summary
from ocop_etl.ops.reload import ReloadRequest
from ocop_etl.ops.runners import make_task_runner, plan_batches, worker_count
from ocop_etl.ops.sources import Candidate, staging_dir_for
from ocop_etl.ops.summary import RunSummary
from ocop_etl.ops.workers import worker_pool
from ocop_etl.pipeline import DB_ERRORS, record_failure

RETRY_HINT = (
    "Fix the cause, then press Retry on this flow run: files already loaded are recognised "
    "and skipped, so nothing is loaded twice."
)


def current_flow_run_id() -> str | None:
    run = getattr(get_run_context(), "flow_run", None)
    return str(run.id) if run is not None else None


def _failed(summary: RunSummary | None, what: str, exc: BaseException) -> State:
    """The run could not do its job: Failed, with the cause and what to do."""
    get_run_logger().error("%s: %s", what, exc)
    return Failed(message=f"{what}: {exc} {RETRY_HINT}", data=summary)


def load_sources(
    sources: list[str] | None,
    *,
    database_url: str | None,
    force: bool,
    settings: Settings,
) -> RunSummary | State:
    """Discover, fingerprint, skip known files, load the rest: the nightly and ingest runs."""
    logger = get_run_logger()
    url = database_url or settings.database_url
    chosen = sources or [str(settings.inbox_dir)]
    summary = _new_summary(url, settings, ", ".join(chosen))
    try:
        summary.load_id = prepare_warehouse(url, summary.source, current_flow_run_id())
    except OcopEtlError as exc:
        return _failed(summary, "The warehouse could not be opened", exc)
    try:
        found = discover_files(chosen, str(staging_dir_for(settings.archive_dir)), url, force)
    except OcopEtlError as exc:
        _close(summary, url, status="failed")
        return _failed(summary, "The report sources could not be read", exc)
    logger.info(
        "%d report file(s) under %s: %d new, %d already handled",
        len(found.new) + len(found.known),
        summary.source,
        len(found.new),
        len(found.known),
    )
    summary.outcomes += [_known(c) for c in found.known]
    return _process(summary, [c.path for c in found.new], url, force, settings)


def reload_files(
    request: ReloadRequest, *, database_url: str | None, force: bool, settings: Settings
) -> RunSummary | State:
    """Process again the files an operator named (by path, hash, or unit and period)."""
    url = database_url or settings.database_url
    summary = _new_summary(url, settings, f"reload {request.describe()}")
    try:
        summary.load_id = prepare_warehouse(url, summary.source, current_flow_run_id())
        paths = find_reload_files(url, request, str(staging_dir_for(settings.archive_dir)))
    except OperationalError as exc:
        _close(summary, url, status="failed")
        return _failed(summary, "The files to reload could not be found", exc)
    except OcopEtlError as exc:  # a wrong hash or unit: the operator's input, not an outage
        _close(summary, url, status="failed")
        return Failed(message=f"Nothing to reload: {exc}", data=summary)
    return _process(summary, paths, url, force, settings)


def validate_sources(sources: list[str] | None, *, settings: Settings) -> RunSummary | State:
    """Dry run: check files and write feedback workbooks; nothing is loaded or recorded."""
    logger = get_run_logger()
    chosen = sources or [str(settings.inbox_dir)]
    summary = RunSummary(
        load_id=None,
        database="(dry run: nothing loaded)",
        feedback_dir=str(settings.feedback_dir),
        source=", ".join(chosen),
    )
    try:
        found = discover_files(chosen, str(staging_dir_for(settings.archive_dir)), None, True)
    except OcopEtlError as exc:
        return _failed(summary, "The report sources could not be read", exc)
    logger.info("%d report file(s) to check under %s", len(found.new), summary.source)
    spec = TaskSpec(None, None, str(settings.feedback_dir), None, current_flow_run_id(), False)
    summary.outcomes += fan_out(check_files, [c.path for c in found.new], spec, settings)
    summary.outcomes.sort(key=lambda o: o.source_path)
    publish(summary)
    return summary


def _new_summary(url: str, settings: Settings, source: str) -> RunSummary:
    return RunSummary(
        load_id=None, database=mask_url(url), feedback_dir=str(settings.feedback_dir), source=source
    )


def _known(c: Candidate) -> FileOutcome:
    # Skipped at discovery: no ledger row per unchanged file per night (the ledger would
    # grow by the whole inbox every night); the run's totals still count them.
    return FileOutcome(
        source_file=Path(c.path).name,
        source_path=c.origin,
        status="skipped_duplicate",
        reason_code="file.duplicate_bytes",
        reason_en="The same bytes were already processed.",
    )


def _process(
    summary: RunSummary, paths: list[str], url: str, force: bool, settings: Settings
) -> RunSummary | State:
    spec = TaskSpec(
        database_url=url,
        archive_dir=str(settings.archive_dir),
        feedback_dir=str(settings.feedback_dir),
        load_id=summary.load_id,
        flow_run_id=current_flow_run_id(),
        force=force,
    )
    summary.outcomes += fan_out(process_files, paths, spec, settings)
    summary.outcomes.sort(key=lambda o: o.source_path)
    failed = [o for o in summary.outcomes if o.status == "failed"]
    try:
        _close(summary, url, status="failed" if failed else "completed")
        _describe(summary, url)
    except DB_ERRORS as exc:
        publish(summary)
        return _failed(summary, "The warehouse became unreachable at the end of the run", exc)
    publish(summary)
    if failed:
        return Failed(
            message=(
                f"{len(failed)} file(s) could not be processed for operational reasons "
                f"(first: {failed[0].source_file}: {failed[0].reason_en}). "
                "Check that the database and the sources are reachable and the archive "
                f"writable. {RETRY_HINT}"
            ),
            data=summary,
        )
    return summary


def fan_out(task: Any, paths: list[str], spec: TaskSpec, settings: Settings) -> list[FileOutcome]:
    """Run ``task`` over ``paths`` (``files_per_task`` per task) on the configured task runner.

    Logs one line per file as it finishes (the run's progress) and turns a task that failed
    for good into a "failed" outcome, so one unreachable file never hides the others.
    """
    logger = get_run_logger()
    size = settings.files_per_task
    count = worker_count(settings, math.ceil(len(paths) / size))
    batches = plan_batches(paths, size, count)
    outcomes: list[FileOutcome] = []
    if not batches:
        return outcomes
    with (
        worker_pool(count, warm_up=warm_up) as workers,
        background_checkpoints(spec.database_url),  # after the fork: see its module
        make_task_runner(settings, workers) as runner,
    ):
        futures = [
            runner.submit(task, {"paths": b, "spec": spec, "label": _label(b)}) for b in batches
        ]
        batch_of = {id(f): b for f, b in zip(futures, batches, strict=True)}
        for future in as_completed(futures):
            # result() raises the task's own exception once its retries are spent; reading
            # future.state instead races the API, which may still say Running.
            try:
                done = future.result()
            except Exception as exc:  # noqa: BLE001 - whatever it was, the files are "failed"
                done = [record_failure(Path(p), spec.options(), exc) for p in batch_of[id(future)]]
            # One record per finished batch, one line per file in it: Prefect's console and
            # API handlers and the server's log inserts cost per record, on the cores the
            # workers need. 700-file runs, 3 each, per file → per batch: the flow process's
            # CPU 1.19-1.22 → 0.96-1.10 s, the Prefect server's 0.87-1.21 → 0.71-0.77 s.
            lines = []
            for outcome in done:
                outcomes.append(outcome)
                lines.append(
                    f"[{len(outcomes)}/{len(paths)}] {outcome.source_file}: "
                    f"{outcome.status}{_detail(outcome)}"
                )
            if lines:
                logger.info("%s", "\n".join(lines))
    return outcomes


def _label(batch: list[str]) -> str:
    first = Path(batch[0]).name
    return first if len(batch) == 1 else f"{first}+{len(batch) - 1}"


def _detail(o: FileOutcome) -> str:
    if o.status in ("loaded", "validated", "valid"):
        return (
            f" — {o.rows_loaded} rows loaded, {o.rows_rejected} rejected, "
            f"{o.warnings} warning{'' if o.warnings == 1 else 's'}"
        )
    return f" — {o.reason_code}: {o.reason_en}" if o.reason_code else ""


def _close(summary: RunSummary, url: str, *, status: str) -> None:
    if summary.load_id is not None:
        ledger.finish_load(get_engine(url), summary.load_id, summary.outcomes, status=status)


def _describe(summary: RunSummary, url: str) -> None:
    """What changed since the previous run, and who has not reported: two warehouse reads."""
    engine = get_engine(url)
    if summary.load_id is not None:
        previous = run_summary.previous_load(engine, summary.load_id)
        summary.changes = run_summary.describe_changes(summary.totals(), previous, summary.outcomes)
    summary.periods = run_summary.run_periods(engine, summary.outcomes)
    summary.missing_units = run_summary.units_not_reported(engine, summary.periods)


def publish(summary: RunSummary) -> None:
    """The run's two artifacts: the per-file table and the markdown summary."""
    create_table_artifact(
        key="ocop-file-outcomes", table=summary.table_rows(), description="Per-file outcomes"
    )
    create_markdown_artifact(
        key="ocop-run-summary", markdown=summary.as_markdown(), description="OCOP run summary"
    )


__all__ = ["RETRY_HINT", "fan_out", "load_sources", "publish", "reload_files", "validate_sources"]
