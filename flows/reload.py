"""The operators' reload: process named files again, by path, content hash, or unit + period.

Run it from the UI (deployment ``ocop-reload/reload`` ▸ Run ▸ Custom run) or with
``prefect deployment run 'ocop-reload/reload' -p content_hash=… -p force=true``.
"""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows.file_runs import reload_files
from ocop_etl.config import Settings
from ocop_etl.ops.naming import run_name
from ocop_etl.ops.reload import ReloadRequest
from ocop_etl.ops.summary import RunSummary


def _request(params: dict) -> ReloadRequest:
    return ReloadRequest(
        path=params.get("path"),
        content_hash=params.get("content_hash"),
        province=params.get("province"),
        district=params.get("district"),
        period_year=params.get("period_year"),
    )


def _name() -> str:
    params = flow_run.parameters or {}
    what = _request(params).describe().replace(" ", "_").replace("/", "_")[-40:]
    return run_name("reload", flow_run.scheduled_start_time.date(), [what])


@flow(name="ocop-reload", flow_run_name=_name, log_prints=False)
def reload(
    path: str | None = None,
    content_hash: str | None = None,
    province: str | None = None,
    district: str | None = None,
    period_year: int | None = None,
    force: bool = False,
    database_url: str | None = None,
) -> RunSummary:
    """Reprocess files: give ``path``, or ``content_hash`` (the archived copy is used), or
    ``province`` (+ ``district``) and ``period_year``. ``force`` reprocesses a file the
    ledger already has (e.g. one rejected before a fix)."""
    request = ReloadRequest(path, content_hash, province, district, period_year)
    return reload_files(  # type: ignore[return-value]
        request, database_url=database_url, force=force, settings=Settings()
    )


__all__ = ["reload"]
