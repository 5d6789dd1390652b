"""The plain functions behind the operations flows: sources, run summary, reload selection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import fsspec
import pytest

from ocop_etl.config import Settings
from ocop_etl.errors import ConfigError, TransientError
from ocop_etl.load.ledger import FileOutcome
from ocop_etl.ops.naming import run_name
from ocop_etl.ops.reload import ReloadNotFound, ReloadRequest, files_to_reload
from ocop_etl.ops.runners import make_task_runner, plan_batches
from ocop_etl.ops.sources import discover_sources, is_remote
from ocop_etl.ops.summary import (
    LoadTotals,
    RunSummary,
    describe_changes,
    previous_load,
    run_periods,
    units_not_reported,
)
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import rows, run_files, warehouse

pytestmark = pytest.mark.integration


def test_local_folder_is_fingerprinted_and_known_hashes_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "quang-nam" / "thang-binh").mkdir(parents=True)
    a = tmp_path / "quang-nam" / "thang-binh" / "a.xlsx"
    a.write_bytes(b"A")
    (tmp_path / "b.xlsx").write_bytes(b"B")
    (tmp_path / "~$b.xlsx").write_bytes(b"lock")
    (tmp_path / "notes.txt").write_text("not a report")
    (tmp_path / "copy-of-b.xlsx").write_bytes(b"B")  # same bytes, another name

    first = discover_sources([str(tmp_path)], staging_dir=tmp_path / "staging")
    assert len(first.new) == 2 and first.known == []
    sha_a = next(c.byte_sha256 for c in first.new if c.path == str(a))

    again = discover_sources(
        [str(tmp_path)], staging_dir=tmp_path / "staging", known_hashes={sha_a}
    )
    assert [c.path for c in again.known] == [str(a)]
    assert len(again.new) == 1
    forced = discover_sources(
        [str(tmp_path)], staging_dir=tmp_path / "staging", known_hashes={sha_a}, force=True
    )
    assert len(forced.new) == 2


def test_remote_files_are_staged_by_hash_and_never_touched_at_the_source(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    root = f"/ops-{tmp_path.name}"
    fs.pipe(f"{root}/ha-noi/dong-anh_2023.xlsx", b"report one")
    fs.pipe(f"{root}/flat.xlsx", b"report two")
    fs.pipe(f"{root}/readme.md", b"#")

    found = discover_sources([f"memory://{root}"], staging_dir=tmp_path / "staging")

    names = sorted(Path(c.path).name for c in found.new)
    assert names == ["dong-anh_2023.xlsx", "flat.xlsx"]
    for c in found.new:
        staged = Path(c.path)
        assert staged.parent.name == c.byte_sha256  # staging/<sha256>/<name>
        assert staged.read_bytes() in (b"report one", b"report two")
        assert c.origin.startswith("memory://")
    assert sorted(fs.find(root)) == sorted(
        [f"{root}/ha-noi/dong-anh_2023.xlsx", f"{root}/flat.xlsx", f"{root}/readme.md"]
    )


def test_unreachable_sources_are_transient_and_unknown_schemes_are_config_errors(
    tmp_path: Path,
) -> None:
    with pytest.raises(TransientError):
        discover_sources([str(tmp_path / "share-not-mounted")], staging_dir=tmp_path)
    with pytest.raises(TransientError):
        discover_sources([f"memory://missing-{tmp_path.name}"], staging_dir=tmp_path)
    with pytest.raises(ConfigError):
        discover_sources(["nosuchscheme://x/y"], staging_dir=tmp_path)
    assert is_remote("s3://b/k") and not is_remote("/srv/inbox") and not is_remote("file:///x")


def test_run_names_say_kind_date_and_source() -> None:
    assert run_name("nightly", date(2025, 3, 14)) == "nightly-2025-03-14-inbox"
    assert run_name("nightly", date(2025, 3, 14), ["s3://ocop/drop/"]) == (
        "nightly-2025-03-14-s3:drop"
    )


def test_task_runner_setting_picks_the_runner() -> None:
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(make_task_runner(Settings()), ThreadPoolTaskRunner)
    assert isinstance(make_task_runner(Settings(task_runner="processes")), ProcessPoolTaskRunner)
    assert isinstance(
        make_task_runner(Settings(task_runner="dask", dask_address="tcp://x:8786")), DaskTaskRunner
    )


def test_one_task_thread_more_than_workers_keeps_a_batch_queued() -> None:
    # A worker that finishes a batch finds the next one waiting instead of waiting for a
    # task thread to report to the API and submit again (ops/runners.py).
    runner = make_task_runner(Settings(), workers=2)
    assert runner._max_workers == 3  # Prefect has no public accessor


def test_the_last_batches_are_smaller_so_the_workers_finish_together() -> None:
    paths = [f"f{i:03}.xlsx" for i in range(700)]
    batches = plan_batches(paths, 25, workers=2)
    assert [p for b in batches for p in b] == paths  # every file once, in order
    sizes = [len(b) for b in batches]
    # 650 files in batches of 25, then the last 2 × 25 in batches of 7 (a quarter of 25).
    assert sizes == [25] * 26 + [7] * 7 + [1]
    # Without workers to balance (one worker, or the work stays in the task threads), or
    # with a single batch's worth of files, batches stay as configured.
    assert [len(b) for b in plan_batches(paths, 25, workers=1)] == [25] * 28
    assert [len(b) for b in plan_batches(paths[:20], 25, workers=2)] == [20]
    # A run smaller than the tail is all tail: 30 files are not split 25 + 5.
    assert [len(b) for b in plan_batches(paths[:30], 25, workers=2)] == [7, 7, 7, 7, 2]
    assert plan_batches([], 25, workers=2) == []


def _outcome(status: str, unit: str = "Thăng Bình, Quảng Nam", **kw: object) -> FileOutcome:
    return FileOutcome(
        source_file=f"{status}.xlsx",
        source_path="/x",
        status=status,
        reporting_unit=unit,
        period="2022",
        **kw,  # type: ignore[arg-type]
    )


def test_describe_changes_compares_with_the_previous_run() -> None:
    previous = LoadTotals(
        load_id=7, status="failed", files_loaded=1, files_failed=2, rows_loaded=30
    )
    current = LoadTotals(load_id=8, status="completed", files_loaded=3, rows_loaded=25)
    outcomes = [
        _outcome("loaded"),
        _outcome("loaded", unit="Duy Xuyên, Quảng Nam", superseded_file_ids=[4]),
        _outcome("rejected"),
    ]

    lines = describe_changes(current, previous, outcomes)

    assert lines[0].startswith("Compared with the previous run (load 7, failed)")
    assert "files loaded 3 (+2)" in lines[0] and "rows loaded 25 (-5)" in lines[0]
    assert "files failed 0 (-2)" in lines[0]
    assert any("failures are resolved" in x for x in lines)
    assert "New submissions: Thăng Bình, Quảng Nam 2022." in lines
    assert "Corrected submissions replacing earlier ones: Duy Xuyên, Quảng Nam 2022." in lines
    assert "Rejected files (the district must resend): rejected.xlsx." in lines
    assert describe_changes(current, None, [])[0].startswith("First recorded run")
    assert describe_changes(current, previous, [])[-1].startswith("No new or corrected")


def test_summary_reads_previous_load_periods_and_units_not_reported(
    tmp_path: Path, sqlite_url: str
) -> None:
    reports = write_samples(tmp_path / "in", files=2, rows_per_file=(3, 4), seed=21)
    first = run_files(sqlite_url, [reports[0].path], tmp_path)
    second = run_files(sqlite_url, [reports[1].path], tmp_path)
    engine = warehouse(sqlite_url)

    prev = previous_load(engine, 2)
    assert prev is not None and prev.load_id == 1 and prev.files_loaded == 1
    assert previous_load(engine, 1) is None

    years = run_periods(engine, second)
    assert years == [reports[1].rows[0].year]
    assert run_periods(engine, []) == [
        max(r.rows[0].year for r in reports)
    ]  # a quiet night: the latest period

    missing = units_not_reported(engine, years)
    # The unit that reported for that period is not missing (it may be missing for another).
    reported = {o.reporting_unit.split(",")[0] for o in second if o.reporting_unit}
    assert reported and first
    assert missing, "the sample provinces have many districts; most did not report"
    assert all(m.period_year in years for m in missing)
    assert not {m.district for m in missing} & reported
    view = rows(
        engine,
        "SELECT COUNT(*) AS n FROM ocop_reporting_completeness "
        "WHERE NOT has_reported AND period_year = :y",
        y=years[0],
    )
    assert len(missing) == view[0]["n"]
    assert units_not_reported(engine, []) == []

    summary = RunSummary(load_id=2, database="sqlite://", feedback_dir=None, outcomes=second)
    summary.periods, summary.missing_units = years, missing
    md = summary.as_markdown()
    assert f"## Units that have not reported for {years[0]}" in md
    assert f"- {missing[0].district} ({missing[0].province}), {years[0]}" in md


def test_reload_selection_by_path_hash_and_unit(tmp_path: Path, sqlite_url: str) -> None:
    (report,) = write_samples(tmp_path / "in", files=1, rows_per_file=(3, 4), seed=22)
    (outcome,) = run_files(sqlite_url, [report.path], tmp_path)
    engine = warehouse(sqlite_url)
    (row,) = rows(
        engine,
        "SELECT byte_sha256, content_sha256, archive_path, reporting_district, period_year, "
        "reporting_province_code FROM ledger_file WHERE file_id = :f",
        f=outcome.file_id,
    )
    (province,) = rows(
        engine,
        "SELECT name FROM dim_admin_unit WHERE scheme = 'pre2025' AND level = 'province' "
        "AND code = :c",
        c=row["reporting_province_code"],
    )

    staging = tmp_path / "staging"

    assert files_to_reload(engine, ReloadRequest(path=str(report.path))) == [report.path]
    by_bytes = files_to_reload(engine, ReloadRequest(content_hash=row["byte_sha256"]), staging)
    assert by_bytes == [staging / row["byte_sha256"] / report.path.name]
    assert by_bytes[0].read_bytes() == Path(row["archive_path"]).read_bytes()
    by_content = files_to_reload(engine, ReloadRequest(content_hash=row["content_sha256"]))
    assert by_content == [Path(row["archive_path"])]
    by_unit = files_to_reload(
        engine,
        ReloadRequest(
            province=f"Tỉnh {province['name'].upper()}",  # prefix and case do not matter
            district=row["reporting_district"],
            period_year=row["period_year"],
        ),
    )
    assert by_unit == [Path(row["archive_path"])]

    with pytest.raises(ReloadNotFound):
        files_to_reload(engine, ReloadRequest(province=province["name"], period_year=1999))
    with pytest.raises(ReloadNotFound):
        files_to_reload(engine, ReloadRequest(content_hash="f" * 64))
    with pytest.raises(ReloadNotFound):  # two ways at once is ambiguous
        files_to_reload(engine, ReloadRequest(path="x", content_hash="y"))
