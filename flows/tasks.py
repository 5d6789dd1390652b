"""The Prefect tasks of every flow: each body is one call into ``ocop_etl``.

Tasks take plain values (URLs, paths, small dataclasses), never an Engine: Prefect hashes
arguments, and process/Dask runners pickle them. Only operational errors (TransientError) are
retried with backoff; a district's bad data is an outcome, never a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from ocop_etl.errors import TransientError
from ocop_etl.load.engine import get_engine
from ocop_etl.load.ledger import FileOutcome, handled_hashes
from ocop_etl.ops.reload import ReloadRequest, files_to_reload
from ocop_etl.ops.sources import Discovery, discover_sources
from ocop_etl.ops.workers import run_on_worker
from ocop_etl.pipeline import (
    DB_ERRORS,
    RunOptions,
    check_file_outcome,
    open_run,
    process_batch,
)


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


# Backoff for one file: a database restart or a network blip usually passes within a minute.
@task(
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
    task_run_name="{label}",
)
def process_files(paths: list[str], spec: TaskSpec, label: str) -> list[FileOutcome]:
    return run_on_worker(_process, paths, spec)


@task(cache_policy=NO_CACHE, task_run_name="check {label}")
def check_files(paths: list[str], spec: TaskSpec, label: str) -> list[FileOutcome]:
    return run_on_worker(_check, paths, spec)


# What a worker process runs (module level and plain arguments: they cross a process boundary).
def _process(paths: list[str], spec: TaskSpec) -> list[FileOutcome]:
    return process_batch([Path(p) for p in paths], spec.options())


def _check(paths: list[str], spec: TaskSpec) -> list[FileOutcome]:
    options = spec.options()
    return [check_file_outcome(Path(p), options)[0] for p in paths]


@task(
    retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_only, cache_policy=NO_CACHE
)
def prepare_warehouse(database_url: str, source: str, flow_run_id: str | None) -> int:
    return open_run(database_url, source=source, flow_run_id=flow_run_id)


@task(
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=_transient_only,
    cache_policy=NO_CACHE,
)
def discover_files(
    sources: list[str], staging_dir: str, database_url: str | None, force: bool
) -> Discovery:
    known: set[str] = set()
    if database_url and not force:
        try:
            known = handled_hashes(get_engine(database_url))
        except DB_ERRORS as exc:
            raise TransientError(
                f"Warehouse unreachable while listing handled files: {exc}"
            ) from exc
    return discover_sources(sources, staging_dir=Path(staging_dir), known_hashes=known, force=force)


@task(
    retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_only, cache_policy=NO_CACHE
)
def find_reload_files(database_url: str, request: ReloadRequest, staging_dir: str) -> list[str]:
    try:
        return [
            str(p) for p in files_to_reload(get_engine(database_url), request, Path(staging_dir))
        ]
    except DB_ERRORS as exc:
        raise TransientError(f"Warehouse unreachable while finding files to reload: {exc}") from exc


__all__ = [
    "TaskSpec",
    "check_files",
    "discover_files",
    "find_reload_files",
    "prepare_warehouse",
    "process_files",
]
