"""The scheduled run: every source → new files only → one task per file → run summary.

Deployed by ``ocop-etl serve`` (or ``prefect.yaml``) at 02:00 Asia/Ho_Chi_Minh, one run at a
time. A failed run is safe to Retry from the UI: the ledger skips what was already loaded.
"""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows.file_runs import load_sources
from ocop_etl.config import Settings
from ocop_etl.ops.naming import run_name
from ocop_etl.ops.summary import RunSummary


def _name() -> str:
    params = flow_run.parameters or {}
    when = flow_run.scheduled_start_time
    return run_name("nightly", when.date(), params.get("sources"))


@flow(name="ocop-nightly", flow_run_name=_name, log_prints=False)
def nightly(
    sources: list[str] | None = None, database_url: str | None = None, force: bool = False
) -> RunSummary:
    """Load new district reports from ``sources`` (default: ``OCOP_INBOX_DIR``).

    A source is a folder (local or a mounted share) or an fsspec URL such as
    ``s3://bucket/ocop``; it is searched recursively and never modified. ``force``
    reprocesses files the ledger already has.
    """
    return load_sources(  # type: ignore[return-value]
        sources, database_url=database_url, force=force, settings=Settings()
    )


__all__ = ["nightly"]
