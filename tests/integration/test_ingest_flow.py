"""The ingestion flow on a real (temporary) Prefect server: outcomes, artifacts, re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import count, flow_run_artifacts, warehouse

pytestmark = pytest.mark.integration




def test_flow_loads_rejects_and_skips_with_per_fileflow_run_artifacts(
    prefect_server: None, sqlite_url: str, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    inbox = tmp_path / "inbox"
    reports = write_samples(inbox, files=3, rows_per_file=(4, 8), seed=9)
    (inbox / "budget.xlsx").write_bytes(b"this is not a workbook")

    state = ingest(paths=[str(inbox)], database_url=sqlite_url, return_state=True)

    assert state.is_completed(), state.message
    summary = state.result()
    statuses = sorted(o.status for o in summary.outcomes)
    assert statuses == ["loaded", "loaded", "loaded", "rejected"]
    assert summary.rows_loaded == sum(len(r.rows) for r in reports)
    assert count(warehouse(sqlite_url), "fct_recognition") == summary.rows_loaded

    artifacts = flow_run_artifacts(str(state.state_details.flow_run_id))
    table = artifacts["ocop-file-outcomes"]
    assert "budget.xlsx" in str(table) and "file.unreadable" in str(table)
    assert "rows: loaded **" in str(artifacts["ocop-run-summary"])

    again = ingest(paths=[str(inbox)], database_url=sqlite_url, return_state=True)
    assert again.is_completed()
    assert sorted(o.status for o in again.result().outcomes) == ["skipped_duplicate"] * 4
    assert count(warehouse(sqlite_url), "fct_recognition") == summary.rows_loaded
