"""The ad-hoc ingestion flow (``ocop-etl ingest``): discover → one task per file → summary.

Idempotency lives in the warehouse (ledger + one transaction per file), not in Prefect's cache:
"Retry" in the UI re-runs every task of the run, and each re-run file is recognised by its hash.
Only transient operational errors are retried; a district's bad data is an outcome.
The scheduled variant is ``flows.nightly``; both share ``flows.file_runs``.
"""

from __future__ import annotations

from prefect import flow

from flows.file_runs import load_sources, validate_sources
from flows.tasks import TaskSpec
from ocop_etl.config import Settings
from ocop_etl.ops.summary import RunSummary


@flow(name="ocop-ingest", flow_run_name="ingest-{source_label}", log_prints=False)
def ingest(
    paths: list[str] | None = None,
    database_url: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    source_label: str = "inbox",
) -> RunSummary:
    """Ingest district reports from ``paths`` (files, folders or fsspec URLs; default: the inbox).

    ``force`` reprocesses files the ledger already has; ``dry_run`` validates and writes
    feedback but loads nothing.
    """
    settings = Settings()
    if dry_run:
        return validate_sources(paths, settings=settings)  # type: ignore[return-value]
    return load_sources(  # type: ignore[return-value]
        paths, database_url=database_url, force=force, settings=settings
    )


__all__ = ["RunSummary", "TaskSpec", "ingest"]
