"""The ingestion flow: discover → one task per file (extract → validate → normalize → load) → summary.

Idempotency lives in the warehouse (ledger + one transaction per file), not in Prefect's cache:
"Retry" in the UI re-runs every task of the run, and each re-run file is recognised by its hash.
Only transient operational errors are retried; a district's bad data is an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from ocop_etl.config import Settings
from ocop_etl.errors import OcopEtlError, TransientError
from ocop_etl.files import discover
from ocop_etl.load import ledger
from ocop_etl.load.engine import get_engine, mask_url
from ocop_etl.load.ledger import FileOutcome
from ocop_etl.pipeline import RunOptions, open_run, process_file, record_failure


def _transient_only(task, task_run, state) -> bool:
    """Retry operational hiccups (database/source unreachable), never a district's data."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not worth retrying
        return False
    return False


@dataclass(frozen=True)
class TaskSpec:
    """What a task needs, as plain values (URLs and paths, never an Engine: Prefect hashes args)."""

    database_url: str | None
    archive_dir: str | None
    feedback_dir: str | None
    load_id: int | None
    flow_run_id: str | None
    force: bool

    def options(self) -> RunOptions:
        return RunOptions(
            engine=get_engine(self.database_url) if self.database_url else None,
            archive_dir=Path(self.archive_dir) if self.archive_dir else None,
            feedback_dir=Path(self.feedback_dir) if self.feedback_dir else None,
            load_id=self.load_id,
            flow_run_id=self.flow_run_id,
            force=self.force,
        )


@task(
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
    task_run_name="{label}",
)
def process_files(paths: list[str], spec: TaskSpec, label: str) -> list[FileOutcome]:
    options = spec.options()
    return [process_file(Path(p), options) for p in paths]


@task(
    retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_only, cache_policy=NO_CACHE
)
def prepare_warehouse(database_url: str, source: str, flow_run_id: str | None) -> int:
    return open_run(database_url, source=source, flow_run_id=flow_run_id)


@dataclass
class RunSummary:
    load_id: int | None
    database: str
    feedback_dir: str | None
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_rejected(self) -> int:
        return sum(o.rows_rejected for o in self.outcomes)

    def as_markdown(self) -> str:
        lines = [
            f"# OCOP ingestion — load {self.load_id}",
            "",
            f"- files: **{len(self.outcomes)}** — loaded {self.count('loaded')}, "
            f"rejected {self.count('rejected')}, skipped (already loaded) "
            f"{self.count('skipped_duplicate')}, failed {self.count('failed')}",
            f"- rows: loaded **{self.rows_loaded}**, rejected **{self.rows_rejected}**, "
            f"warnings {sum(o.warnings for o in self.outcomes)}",
            f"- warehouse: `{self.database}`",
            f"- feedback workbooks for districts: `{self.feedback_dir}`",
        ]
        with_feedback = [o for o in self.outcomes if o.feedback_path]
        if with_feedback:
            lines += ["", "## Feedback workbooks", ""]
            lines += [f"- {o.source_file}: `{o.feedback_path}`" for o in with_feedback[:200]]
        return "\n".join(lines) + "\n"


def _batches(paths: list[Path], size: int) -> list[list[str]]:
    return [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]


def _flow_run_id() -> str | None:
    ctx = get_run_context()
    run = getattr(ctx, "flow_run", None)
    return str(run.id) if run is not None else None


@flow(
    name="ocop-ingest",
    flow_run_name="ingest-{source_label}",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=2),  # type: ignore[arg-type]
)
def ingest(
    paths: list[str] | None = None,
    database_url: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    source_label: str = "inbox",
) -> RunSummary:
    """Ingest district reports from ``paths`` (files or folders; default: the configured inbox).

    ``force`` reprocesses files the ledger already has; ``dry_run`` validates and writes
    feedback but loads nothing.
    """
    logger = get_run_logger()
    settings = Settings()
    url = None if dry_run else (database_url or settings.database_url)
    sources = [Path(p) for p in paths] if paths else [settings.inbox_dir]
    files = discover(sources)
    summary = RunSummary(
        load_id=None,
        database=mask_url(url) if url else "(dry run)",
        feedback_dir=str(settings.feedback_dir),
    )
    load_id = None
    if url:
        load_id = prepare_warehouse(url, ", ".join(map(str, sources)), _flow_run_id())
        summary.load_id = load_id
    logger.info("%d report file(s) found under %s", len(files), ", ".join(map(str, sources)))

    spec = TaskSpec(
        database_url=url,
        archive_dir=None if dry_run else str(settings.archive_dir),
        feedback_dir=str(settings.feedback_dir),
        load_id=load_id,
        flow_run_id=_flow_run_id(),
        force=force,
    )
    batches = _batches(files, settings.files_per_task)
    futures = [
        process_files.submit(
            batch,
            spec,
            label=Path(batch[0]).name
            if len(batch) == 1
            else f"{Path(batch[0]).name}+{len(batch) - 1}",
        )
        for batch in batches
    ]
    batch_of = {id(f): b for f, b in zip(futures, batches, strict=True)}
    done = 0
    # Report each file as it finishes: on a terminal this is the run's progress (done/total).
    for future in as_completed(futures):
        state = future.state
        if state.is_completed():
            outcomes = future.result()
        else:
            error = _state_error(state)
            outcomes = [
                record_failure(Path(p), spec.options(), error) for p in batch_of[id(future)]
            ]
        for outcome in outcomes:
            done += 1
            logger.info(
                "[%d/%d] %s: %s%s",
                done,
                len(files),
                outcome.source_file,
                outcome.status,
                _detail(outcome),
            )
        summary.outcomes.extend(outcomes)
    summary.outcomes.sort(key=lambda o: o.source_path)

    if url and load_id is not None:
        failed = summary.count("failed")
        ledger.finish_load(
            get_engine(url), load_id, summary.outcomes, status="failed" if failed else "completed"
        )
    _publish(summary)
    failed_files = [o for o in summary.outcomes if o.status == "failed"]
    if failed_files:
        return Failed(  # type: ignore[return-value]
            message=(
                f"{len(failed_files)} file(s) could not be processed for operational reasons "
                f"(first: {failed_files[0].source_file}: {failed_files[0].reason_en}). "
                "Fix the cause (database/source reachable, archive writable), then press Retry: "
                "files already loaded are recognised and skipped."
            ),
            data=summary,
        )
    return summary


def _state_error(state) -> Exception:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the task's failure, whatever it was, is recorded
        return exc
    return OcopEtlError(state.message or "task did not complete")


def _detail(o: FileOutcome) -> str:
    if o.status in ("loaded", "validated"):
        return f" — {o.rows_loaded} rows loaded, {o.rows_rejected} rejected, {o.warnings} warnings"
    return f" — {o.reason_code}: {o.reason_en}" if o.reason_code else ""


def _publish(summary: RunSummary) -> None:
    rows = [
        {
            "file": o.source_file,
            "reporting_unit": o.reporting_unit,
            "period": o.period,
            "status": o.status,
            "rows_loaded": o.rows_loaded,
            "rows_rejected": o.rows_rejected,
            "warnings": o.warnings,
            "reason": o.reason_code,
            "feedback": o.feedback_path,
        }
        for o in summary.outcomes[:500]
    ]
    create_table_artifact(key="ocop-file-outcomes", table=rows, description="Per-file outcomes")
    create_markdown_artifact(
        key="ocop-run-summary", markdown=summary.as_markdown(), description="OCOP ingestion summary"
    )


__all__ = ["RunSummary", "TaskSpec", "ingest"]
