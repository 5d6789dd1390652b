"""The operations flows on a (temporary) Prefect server: artifacts, fsspec sources, reload,
dry run, and the Dask task runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import count, facts_per_file, flow_run_artifacts, rows, warehouse

pytestmark = pytest.mark.integration




@pytest.fixture
def ocop_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str) -> Path:
    """Settings for flows that read Settings(): warehouse, archive and feedback under tmp."""
    monkeypatch.setenv("OCOP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("OCOP_ARCHIVE_DIR", str(tmp_path / "data" / "archive"))
    monkeypatch.setenv("OCOP_FEEDBACK_DIR", str(tmp_path / "data" / "feedback"))
    monkeypatch.setenv("OCOP_INBOX_DIR", str(tmp_path / "inbox"))
    return tmp_path


def test_artifacts_show_loaded_rejected_and_skipped_files_and_what_changed(
    prefect_server: None, ocop_env: Path, sqlite_url: str
) -> None:
    import shutil

    from flows.nightly import nightly

    inbox = ocop_env / "inbox"
    made = write_samples(ocop_env / "made", files=4, rows_per_file=(4, 6), seed=3, faults=True)
    first, later = made[:2], made[2:]
    inbox.mkdir()
    for r in first:
        shutil.copy(r.path, inbox / r.path.name)
    assert nightly(return_state=True).is_completed()

    for r in later:
        shutil.copy(r.path, inbox / r.path.name)
    (inbox / "ngan-sach.xlsx").write_bytes(b"not a workbook")
    state = nightly(return_state=True)

    assert state.is_completed(), state.message
    summary = state.result()
    by_status: dict[str, list[str]] = {}
    for o in summary.outcomes:
        by_status.setdefault(o.status, []).append(o.source_file)
    assert sorted(by_status["skipped_duplicate"]) == sorted(r.path.name for r in first)
    assert by_status["rejected"] == ["ngan-sach.xlsx"]
    assert sorted(by_status["loaded"]) == sorted(r.path.name for r in later)

    artifacts = flow_run_artifacts(str(state.state_details.flow_run_id))
    table_data = artifacts["ocop-file-outcomes"]
    table_rows = json.loads(table_data) if isinstance(table_data, str) else table_data
    table = {row["file"]: row for row in table_rows}
    assert table["ngan-sach.xlsx"]["status"] == "rejected"
    assert table["ngan-sach.xlsx"]["reason"] == "file.unreadable"
    for report in later:
        row = table[report.path.name]
        assert row["status"] == "loaded"
        assert row["reporting_unit"] and row["period"]
        rejected = sum(1 for r in report.rows if r.expected_issue and _is_error(r.expected_issue))
        assert row["rows_rejected"] == rejected
        assert row["rows_loaded"] == len(report.rows) - rejected
    assert {table[r.path.name]["status"] for r in first} == {"skipped_duplicate"}

    md = str(artifacts["ocop-run-summary"])
    assert "loaded 2, rejected 1, skipped (already loaded) 2, failed 0" in md
    assert "## What changed since the previous run" in md
    assert "(load 1, completed)" in md and "files loaded 2 (+0)" in md
    assert "Rejected files (the district must resend): ngan-sach.xlsx" in md
    assert "## Feedback workbooks" in md and "file://" in md
    assert "## Units that have not reported for" in md
    missing = rows(
        warehouse(sqlite_url),
        "SELECT district_name FROM ocop_reporting_completeness WHERE NOT has_reported",
    )
    assert missing and all(f"- {m['district_name']} (" in md for m in missing[:20])


def _is_error(code: str) -> bool:
    from ocop_etl.issues import CATALOGUE

    return CATALOGUE[code].severity != "warning"


def test_memory_source_is_staged_by_hash_left_in_place_and_skipped_next_night(
    prefect_server: None, ocop_env: Path, sqlite_url: str
) -> None:
    import fsspec

    from flows.nightly import nightly

    reports = write_samples(ocop_env / "made", files=2, rows_per_file=(3, 5), seed=5)
    fs = fsspec.filesystem("memory")
    for r in reports:
        fs.pipe(f"/drop-{ocop_env.name}/{r.path.parent.name}/{r.path.name}", r.path.read_bytes())
    source = f"memory://drop-{ocop_env.name}"

    state = nightly(sources=[source], return_state=True)

    assert state.is_completed(), state.message
    assert sorted(o.status for o in state.result().outcomes) == ["loaded", "loaded"]
    assert count(warehouse(sqlite_url), "fct_recognition") == sum(len(r.rows) for r in reports)
    staged = sorted((ocop_env / "data" / "staging").glob("*/*.xlsx"))
    assert sorted(p.name for p in staged) == sorted(r.path.name for r in reports)
    assert len(fs.find(f"/drop-{ocop_env.name}")) == 2  # never moved or deleted at the source

    again = nightly(sources=[source], return_state=True).result()
    assert [o.status for o in again.outcomes] == ["skipped_duplicate"] * 2
    assert count(warehouse(sqlite_url), "fct_recognition") == sum(len(r.rows) for r in reports)


def test_reload_by_hash_and_by_unit_uses_the_archive_and_force_reprocesses(
    prefect_server: None, ocop_env: Path, sqlite_url: str
) -> None:
    from flows.nightly import nightly
    from flows.reload import reload

    inbox = ocop_env / "inbox"
    (report,) = write_samples(inbox, files=1, rows_per_file=(3, 5), seed=8)
    (inbox / "hong.xlsx").write_bytes(b"broken bytes")
    assert nightly(return_state=True).is_completed()
    engine = warehouse(sqlite_url)
    (bad,) = rows(engine, "SELECT byte_sha256 FROM ledger_file WHERE status = 'rejected'")
    (good,) = rows(
        engine,
        "SELECT reporting_province, reporting_district, period_year FROM ledger_file "
        "WHERE status = 'loaded'",
    )
    for p in inbox.rglob("*.xlsx"):
        p.unlink()  # the inbox was cleaned: reloads must use the archived copies

    skipped = reload(content_hash=bad["byte_sha256"], return_state=True).result()
    assert [(o.source_file, o.status) for o in skipped.outcomes] == [
        ("hong.xlsx", "skipped_duplicate")
    ]
    forced = reload(content_hash=bad["byte_sha256"], force=True, return_state=True).result()
    assert [(o.source_file, o.status) for o in forced.outcomes] == [("hong.xlsx", "rejected")]

    by_unit = reload(
        province=good["reporting_province"],
        district=good["reporting_district"],
        period_year=good["period_year"],
        return_state=True,
    ).result()
    assert [(o.source_file, o.status) for o in by_unit.outcomes] == [
        (report.path.name, "skipped_duplicate")
    ]
    assert count(engine, "fct_recognition") == len(report.rows)

    nothing = reload(content_hash="0" * 64, return_state=True)
    assert nothing.is_failed() and "Nothing to reload" in (nothing.message or "")


def test_validate_flow_writes_feedback_and_loads_nothing(
    prefect_server: None, ocop_env: Path, sqlite_url: str
) -> None:
    from flows.validate import validate

    write_samples(ocop_env / "inbox", files=2, rows_per_file=(4, 6), seed=4, faults=True)
    state = validate(return_state=True)

    assert state.is_completed(), state.message
    outcomes = state.result().outcomes
    assert {o.status for o in outcomes} == {"valid"}
    assert all(o.feedback_path and Path(o.feedback_path).exists() for o in outcomes)
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()  # nothing touched the DB


def test_dask_cluster_loads_every_row_exactly_once(
    prefect_server: None, ocop_env: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    from flows.nightly import nightly

    reports = write_samples(ocop_env / "inbox", files=4, rows_per_file=(3, 6), seed=12)
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv("OCOP_TASK_RUNNER", "dask")
        monkeypatch.setenv("OCOP_DASK_ADDRESS", cluster.scheduler_address)
        state = nightly(return_state=True)
        # The per-file tasks really ran on the cluster (one Dask task per file).
        ran_on_dask = "process_files" in cluster.scheduler.task_prefixes

    assert state.is_completed(), state.message
    assert ran_on_dask
    assert sorted(o.status for o in state.result().outcomes) == ["loaded"] * 4
    engine = warehouse(sqlite_url)
    per_file = facts_per_file(engine)
    assert per_file == {r.path.name: len(r.rows) for r in reports}


def test_process_pool_runner_loads_every_file(
    prefect_server: None, ocop_env: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.nightly import nightly

    reports = write_samples(ocop_env / "inbox", files=2, rows_per_file=(3, 5), seed=13)
    monkeypatch.setenv("OCOP_TASK_RUNNER", "processes")
    state = nightly(return_state=True)

    assert state.is_completed(), state.message
    assert count(warehouse(sqlite_url), "fct_recognition") == sum(len(r.rows) for r in reports)
