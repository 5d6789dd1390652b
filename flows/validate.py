"""Dry run: check the reports at a source and write feedback workbooks; load nothing."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows.file_runs import validate_sources
from ocop_etl.config import Settings
from ocop_etl.ops.naming import run_name
from ocop_etl.ops.summary import RunSummary


def _name() -> str:
    params = flow_run.parameters or {}
    return run_name("validate", flow_run.scheduled_start_time.date(), params.get("sources"))


@flow(name="ocop-validate", flow_run_name=_name, log_prints=False)
def validate(sources: list[str] | None = None) -> RunSummary:
    """Check every report under ``sources`` (default: the inbox) like the pipeline would;
    write annotated feedback workbooks; nothing reaches the warehouse."""
    return validate_sources(sources, settings=Settings())  # type: ignore[return-value]


__all__ = ["validate"]
