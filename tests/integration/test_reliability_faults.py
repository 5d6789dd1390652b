"""Faults the pipeline must survive: kill -9 mid-load, database gone, two runs at once, full disk;
plus hostile names and text. Each test records its outcome for the README Reliability table."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, make_url, text

from ocop_etl.errors import TransientError
from ocop_etl.load.engine import get_engine
from ocop_etl.pipeline import open_run
from ocop_etl.samples.generator import write_samples
from ocop_etl.samples.model import SampleReport
from tests.integration.helpers import count, rows, run_files, warehouse
from tests.integration.reliability_record import Recorder, reliability  # noqa: F401

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# A run as the nightly job does it, minus Prefect: open a load, process every file, close it.
DRIVER = r"""
import sys
from pathlib import Path
from ocop_etl.files import discover
from ocop_etl.load import ledger
from ocop_etl.pipeline import RunOptions, open_run, process_file
from ocop_etl.load.engine import get_engine
url, inbox, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
load_id = open_run(url, source=str(inbox), flow_run_id=None)
options = RunOptions(engine=get_engine(url), archive_dir=work / "archive",
                     feedback_dir=work / "feedback", load_id=load_id)
outcomes = [process_file(p, options) for p in discover([inbox])]
ledger.finish_load(options.engine, load_id, outcomes, status="completed")
print("statuses", sorted({o.status for o in outcomes}))
"""


def _driver(url: str, inbox: Path, work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, url, str(inbox), str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SampleReport]]:
    root = tmp_path_factory.mktemp("inbox")
    reports = write_samples(root, files=30, rows_per_file=(30, 60), seed=77)
    return root, reports


def _assert_no_partial_file(url: str) -> None:
    engine = warehouse(url)
    assert rows(engine, "SELECT file_id FROM ledger_file WHERE status = 'loading'") == []
    bad = rows(
        engine,
        "SELECT f.file_id, f.rows_loaded, COUNT(r.recognition_id) AS n FROM ledger_file f "
        "LEFT JOIN fct_recognition r ON r.file_id = f.file_id WHERE f.status IN "
        "('loaded', 'superseded') GROUP BY f.file_id, f.rows_loaded "
        "HAVING COUNT(r.recognition_id) <> f.rows_loaded",
    )
    assert bad == []
    orphans = rows(
        engine,
        "SELECT COUNT(*) AS n FROM fct_recognition r JOIN ledger_file f ON f.file_id = r.file_id "
        "WHERE f.status NOT IN ('loaded', 'superseded')",
    )
    assert orphans[0]["n"] == 0


def _assert_every_row_once(url: str, reports: list[SampleReport]) -> None:
    engine = warehouse(url)
    loaded = rows(
        engine,
        "SELECT f.source_file, r.source_sheet, r.source_row FROM fct_recognition r "
        "JOIN ledger_file f ON f.file_id = r.file_id WHERE f.status = 'loaded'",
    )
    got = [(x["source_file"], x["source_sheet"], x["source_row"]) for x in loaded]
    want = [(r.path.name, e.source_sheet, e.source_row) for r in reports for e in r.rows]
    assert len(got) == len(set(got)), "a row was loaded twice"
    assert sorted(got) == sorted(want)


@pytest.mark.postgres
def test_kill_9_during_a_load_leaves_no_partial_file(
    postgres_url: str, inbox: tuple[Path, list[SampleReport]], tmp_path: Path,
    reliability: Recorder,  # noqa: F811
) -> None:
    folder, reports = inbox
    warehouse(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    proc = _driver(postgres_url, folder, tmp_path)
    started = time.perf_counter()
    killed_mid_transaction = False
    try:
        while proc.poll() is None and time.perf_counter() - started < 120:
            with admin.connect() as conn:
                loaded = conn.execute(
                    text("SELECT COUNT(*) FROM ledger_file WHERE status = 'loaded'")
                ).scalar_one()
                # A backend of the driver holding an open write transaction: a load under way.
                writing = conn.execute(
                    text(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                    )
                ).scalar_one()
            if loaded >= 3 and writing:
                os.kill(proc.pid, signal.SIGKILL)
                killed_mid_transaction = True
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    admin.dispose()
    assert killed_mid_transaction, "the driver finished before it could be killed mid-load"
    assert proc.returncode == -signal.SIGKILL

    time.sleep(0.5)  # the server notices the dead client and rolls its transaction back
    _assert_no_partial_file(postgres_url)
    engine = warehouse(postgres_url)
    loaded_before = count(engine, "fct_recognition")
    assert 0 < loaded_before < sum(len(r.rows) for r in reports)

    t0 = time.perf_counter()
    again = _driver(postgres_url, folder, tmp_path)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    _assert_no_partial_file(postgres_url)
    _assert_every_row_once(postgres_url, reports)
    reliability(
        "fault", "process killed (SIGKILL) in the middle of a load (PostgreSQL)",
        limit="one transaction per file",
        outcome="no partial file; the next run loaded the rest, every row exactly once",
        seconds=time.perf_counter() - t0,
    )


@pytest.mark.postgres
def test_two_runs_at_once_load_every_row_exactly_once(
    postgres_url: str, inbox: tuple[Path, list[SampleReport]], tmp_path: Path,
    reliability: Recorder,  # noqa: F811
) -> None:
    folder, reports = inbox
    warehouse(postgres_url)
    t0 = time.perf_counter()
    runs = [_driver(postgres_url, folder, tmp_path / f"w{i}") for i in range(2)]
    results = [p.communicate(timeout=300) for p in runs]
    for p, (_, err) in zip(runs, results, strict=True):
        assert p.returncode == 0, err[-2000:]
    _assert_no_partial_file(postgres_url)
    _assert_every_row_once(postgres_url, reports)
    engine = warehouse(postgres_url)
    loaded = rows(engine, "SELECT byte_sha256 FROM ledger_file WHERE status = 'loaded'")
    assert len(loaded) == len(reports)
    reliability(
        "fault", "two ingestion runs at once over the same inbox (PostgreSQL)",
        limit="unique indexes on the ledger; 2 tasks per run",
        outcome="every row exactly once; the loser of each race recorded a duplicate",
        seconds=time.perf_counter() - t0,
    )


def _set_connections(url: str, allowed: bool) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
    admin.dispose()


@pytest.mark.postgres
def test_database_unavailable_at_start_and_mid_run(
    postgres_url: str, inbox: tuple[Path, list[SampleReport]], tmp_path: Path,
    reliability: Recorder,  # noqa: F811
) -> None:
    _, reports = inbox
    warehouse(postgres_url)
    get_engine.cache_clear()
    _set_connections(postgres_url, False)
    try:
        with pytest.raises(TransientError) as caught:
            open_run(postgres_url, source="test", flow_run_id=None)
        assert "unreachable" in str(caught.value) and "retry" in str(caught.value)
    finally:
        _set_connections(postgres_url, True)

    # Mid-run: the database goes away after a few files; the file in flight is not half loaded.
    from ocop_etl.load import ledger
    from ocop_etl.pipeline import RunOptions, process_file

    engine = get_engine(postgres_url)
    load_id = ledger.start_load(engine, source="test", flow_run_id=None)
    options = RunOptions(engine=engine, archive_dir=tmp_path / "a", feedback_dir=tmp_path / "f",
                         load_id=load_id)
    paths = [r.path for r in reports]
    for p in paths[:3]:
        assert process_file(p, options).status == "loaded"
    _set_connections(postgres_url, False)
    try:
        with pytest.raises(TransientError) as caught:
            process_file(paths[3], options)
        assert paths[3].name in str(caught.value)
    finally:
        _set_connections(postgres_url, True)
    _assert_no_partial_file(postgres_url)

    # After recovery a re-run completes with nothing duplicated.
    outcomes = run_files(postgres_url, paths, tmp_path)
    assert [o.status for o in outcomes[:3]] == ["skipped_duplicate"] * 3
    assert {o.status for o in outcomes[3:]} == {"loaded"}
    _assert_every_row_once(postgres_url, reports)
    reliability(
        "fault", "database unavailable at the start and in the middle of a run (PostgreSQL)",
        limit="TransientError → Prefect retries with backoff (2, 10, 30 s)",
        outcome="clear error naming the file/warehouse; re-run after recovery: nothing duplicated",
    )


def test_disk_full_or_archive_not_writable(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    reliability: Recorder,  # noqa: F811
) -> None:
    reports = write_samples(tmp_path / "inbox", files=3, rows_per_file=(4, 6), seed=9)
    paths = [r.path for r in reports]
    import ocop_etl.files as files

    real_copy = files.shutil.copyfile

    def full_disk(src: object, dst: object) -> object:
        if Path(str(src)) == paths[1]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_copy(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(files.shutil, "copyfile", full_disk)
    outcomes = run_files(sqlite_url, paths, tmp_path)
    assert [o.status for o in outcomes] == ["loaded", "failed", "loaded"]
    assert "No space left on device" in (outcomes[1].reason_en or "")
    engine = warehouse(sqlite_url)
    failed = rows(engine, "SELECT status, reason_code, reason_en FROM ledger_file "
                          "WHERE source_file = :f", f=paths[1].name)
    assert [(r["status"], r["reason_code"]) for r in failed] == [("failed", "run.storage_failed")]
    assert "No space left on device" in str(failed[0]["reason_en"])
    monkeypatch.undo()

    # An archive "folder" that is a file (ENOTDIR; chmod does not stop root).
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder")
    more = write_samples(tmp_path / "more", files=1, rows_per_file=(3, 3), seed=99)
    from ocop_etl.load import ledger
    from ocop_etl.pipeline import RunOptions, process_file

    load_id = ledger.start_load(engine, source="t", flow_run_id=None)
    bad = RunOptions(engine=engine, archive_dir=blocker / "archive",
                     feedback_dir=tmp_path / "fb", load_id=load_id)
    outcome = process_file(more[0].path, bad)
    assert outcome.status == "failed" and "Cannot archive" in (outcome.reason_en or "")
    assert "Not a directory" in (outcome.reason_en or "")

    # Disk space back: the next run loads the failed file, the others are skipped.
    again = run_files(sqlite_url, paths, tmp_path)
    assert [o.status for o in again] == ["skipped_duplicate", "loaded", "skipped_duplicate"]
    assert count(engine, "fct_recognition") == sum(len(r.rows) for r in reports)
    reliability(
        "fault", "disk full / archive folder not writable",
        limit="archive before load",
        outcome="file recorded 'failed' with the OS reason (ENOSPC, ENOTDIR); the run's other "
                "files loaded; re-run loads it",
    )


INJECTIONS = [
    "'; DROP TABLE fct_recognition; --",
    "<script>alert('x')</script>",
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
]


def test_sql_html_and_formula_text_is_stored_and_written_back_literally(
    warehouse_url: str, tmp_path: Path, reliability: Recorder  # noqa: F811
) -> None:
    (report,) = write_samples(tmp_path / "src", files=1, rows_per_file=(8, 8), seed=4,
                              faults=True)
    wb = openpyxl.load_workbook(report.path)
    targets = [e for e in report.rows if e.expected_issue is None][: len(INJECTIONS)]
    for expected, value in zip(targets, INJECTIONS, strict=True):
        ws = wb[expected.source_sheet]
        for cell in ws[expected.source_row]:
            if cell.value == expected.product_name:
                cell.value = value
                cell.data_type = "s"  # text, as a district's cell would hold it
    hostile = tmp_path / "inbox" / "injection.xlsx"
    hostile.parent.mkdir()
    wb.save(hostile)

    (outcome,) = run_files(warehouse_url, [hostile], tmp_path)
    assert outcome.status == "loaded"
    engine = warehouse(warehouse_url)
    names = {r["product_name"] for r in rows(engine, "SELECT product_name FROM fct_recognition")}
    assert set(INJECTIONS) <= names
    assert count(engine, "fct_recognition") == outcome.rows_loaded  # the table is intact

    assert outcome.feedback_path
    fb = openpyxl.load_workbook(outcome.feedback_path)
    found = {}
    for ws in fb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in INJECTIONS:
                    found[cell.value] = cell.data_type
    assert set(found) == set(INJECTIONS)
    assert set(found.values()) == {"s"}, found  # never 'f' (formula)
    reliability(
        "input", "cells holding SQL, HTML and formulas (`=HYPERLINK(…)`, `@SUM(A1)`)",
        limit="parameterised SQL; text cells with quote prefix",
        outcome="stored literally; feedback workbook holds them as text, not formulas",
    )


def test_hostile_file_and_sheet_names_are_stored_and_archived_safely(
    sqlite_url: str, tmp_path: Path, reliability: Recorder  # noqa: F811
) -> None:
    (report,) = write_samples(tmp_path / "src", files=1, rows_per_file=(5, 5), seed=6,
                              faults=True)
    wb = openpyxl.load_workbook(report.path)
    wb.worksheets[0].title = "..%2F..%2Fetc"  # '/' is not allowed in a sheet title
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [
        "..\u2215..\u2215etc\u2215passwd.xlsx",  # DIVISION SLASH looks like '/'
        "bad\nname\t\x01\x7f.xlsx",
        "Báo cáo OCOP " + "rất dài " * 20 + ".xlsx",  # 238 bytes of UTF-8
        "CON.xlsx",
    ]
    for i, name in enumerate(names):
        wb.properties.title = str(i)  # distinct bytes per file
        wb.save(inbox / name)
    outcomes = run_files(sqlite_url, sorted(inbox.iterdir()), tmp_path)

    engine = warehouse(sqlite_url)
    stored = {r["source_file"] for r in rows(engine, "SELECT source_file FROM ledger_file")}
    assert stored == set(names)  # kept literally, as data
    archive = tmp_path / "archive"
    # Same content, new bytes: one file loads, the others are skipped as re-saved copies, but
    # every file's bytes were archived first, by hash, inside the archive folder.
    assert sorted(o.status for o in outcomes) == ["loaded"] + ["skipped_duplicate"] * 3
    archived = [p for p in archive.rglob("*") if p.is_file()]
    assert len(archived) == len(names)
    assert all(p.stem.isalnum() and len(p.stem) == 64 for p in archived)
    for o in outcomes:
        if o.feedback_path:
            fb = Path(o.feedback_path)
            assert fb.resolve().parent == (tmp_path / "feedback").resolve()
            assert not any(ch in fb.name for ch in "\n\t\x01\x7f/\\")
            assert len(fb.name.encode()) <= 255
    # Nothing was written outside the test's folder.
    assert not Path("/etc/passwd.loi.xlsx").exists()
    reliability(
        "input", "file and sheet names with `../`, control characters, 238-byte names",
        limit="archive by SHA-256; feedback names sanitised",
        outcome="names stored literally in the ledger; files written only inside their folders",
    )


SECRET = "S3cret-pw"


@pytest.mark.postgres
def test_database_password_never_reaches_errors_logs_or_ledger(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    reliability: Recorder,  # noqa: F811
) -> None:
    caplog.set_level("DEBUG")
    closed = f"postgresql+psycopg://etl:{SECRET}@127.0.0.1:9/x"
    with pytest.raises(TransientError) as caught:
        open_run(closed, source="test", flow_run_id=None)
    assert SECRET not in str(caught.value) and "127.0.0.1:9" in str(caught.value)
    # A reachable warehouse with a password in its URL (trust auth ignores it): a full run.
    with_pw = make_url(postgres_url).set(password=SECRET).render_as_string(hide_password=False)
    (report,) = write_samples(tmp_path / "inbox", files=1, rows_per_file=(3, 3), seed=2,
                              faults=True)
    run_files(with_pw, [report.path], tmp_path)
    engine = warehouse(postgres_url)
    for table in ("ledger_load", "ledger_file", "dq_issue"):
        dump = repr(rows(engine, f"SELECT * FROM {table}"))
        assert SECRET not in dump, table
    assert SECRET not in caplog.text
    reliability(
        "fault", "database password in the URL; database unreachable",
        limit="URLs masked (`***`) everywhere",
        outcome="password absent from the error, logs and ledger rows",
    )
