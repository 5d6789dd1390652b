"""The README's commands as a new user runs them: a real process, a real temporary Prefect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "ocop_etl.cli"]


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **env}
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sample_then_ingest_prints_a_summary_and_exits_zero(tmp_path: Path) -> None:
    made = _run(["sample", "inbox", "--files", "3", "--min-rows", "3", "--max-rows", "6"], tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "inbox" / "notes.xlsx").write_text("not a workbook")

    done = _run(["ingest", "inbox"], tmp_path, OCOP_DATABASE_URL="sqlite:///w.db")

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "files" in out and "rows" in out
    assert "warehouse: sqlite:///w.db" in out
    assert "feedback workbooks:" in out
    logged = done.stdout + done.stderr
    # Progress: one line per file (one log record per batch of files), each with its outcome.
    assert all(f"[{i}/4] " in logged for i in range(1, 5))
    assert "notes.xlsx: rejected" in logged
    assert "Traceback" not in logged
    assert (tmp_path / "w.db").exists()


def test_unreachable_database_is_a_clear_nonzero_exit(tmp_path: Path) -> None:
    made = _run(["sample", "inbox", "--files", "1", "--min-rows", "2", "--max-rows", "2"], tmp_path)
    assert made.returncode == 0, made.stderr
    url = "postgresql+psycopg://etl:s3cret@127.0.0.1:9/ocop"

    done = _run(["ingest", "inbox", "--db", url], tmp_path)

    assert done.returncode != 0
    assert "s3cret" not in done.stdout + done.stderr
    assert "127.0.0.1:9" in done.stdout + done.stderr


def test_every_command_has_help_with_examples(tmp_path: Path) -> None:
    for args in (["ingest"], ["sample"], ["db", "upgrade"], ["codes"]):
        shown = _run([*args, "--help"], tmp_path)
        assert shown.returncode == 0, args
        assert "Example" in shown.stdout, args


def test_validate_needs_no_database_and_reports_in_both_forms(tmp_path: Path) -> None:
    import json

    made = _run(["sample", "inbox", "--files", "1", "--min-rows", "10", "--max-rows", "10",
                 "--faults"], tmp_path)
    assert made.returncode == 0, made.stderr
    (report,) = list((tmp_path / "inbox").rglob("*.xlsx"))

    shown = _run(["validate", str(report), "--out", "loi"], tmp_path)
    assert shown.returncode == 1  # errors found
    assert "rejected" in shown.stdout and "feedback workbook:" in shown.stdout
    assert list((tmp_path / "loi").glob("*.xlsx"))
    assert not list(tmp_path.glob("*.db"))  # no warehouse was touched

    as_json = _run(["validate", str(report), "--out", "loi", "--json"], tmp_path)
    payload = json.loads(as_json.stdout)
    codes = {i["code"] for i in payload[0]["issues"]}
    assert {"star.out_of_range", "product.name_missing"} <= codes
    assert all(i["message_vi"] and i["message_en"] for i in payload[0]["issues"])


def test_template_command_writes_the_official_template(tmp_path: Path) -> None:
    done = _run(["template", "mau.xlsx", "--period", "2024", "--province", "Quảng Nam"], tmp_path)
    assert done.returncode == 0, done.stderr
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "mau.xlsx")
    assert "Hướng dẫn" in book.sheetnames
    assert "UBND TỈNH QUẢNG NAM" in str(book.worksheets[0]["A1"].value)


def test_an_adhoc_run_sends_no_heartbeats_to_its_temporary_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Heartbeats tell a real server that a run's process is alive; a temporary server ends
    # with the process. Their thread, sleeping in 1-second steps, is joined at the end of
    # every flow run: up to 1 s added to each `ocop-etl ingest`. A user's setting wins.
    from prefect.settings import get_current_settings
    from typer.testing import CliRunner

    import flows.ingest
    from ocop_etl import check
    from ocop_etl.cli import app

    seen: list[int | None] = []

    class Completed:
        def result(self, raise_on_failure: bool = False) -> None:
            return None

        def is_completed(self) -> bool:
            return True

    def flow(**kwargs: object) -> Completed:
        seen.append(get_current_settings().flows.heartbeat_frequency)
        return Completed()

    monkeypatch.setattr(flows.ingest, "ingest", flow)
    monkeypatch.setattr(check, "warm_up_in_background", lambda: None)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    assert get_current_settings().flows.heartbeat_frequency is not None  # Prefect's default

    assert CliRunner().invoke(app, ["ingest", str(tmp_path)]).exit_code == 0
    assert get_current_settings().flows.heartbeat_frequency is not None  # only for the run
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    assert CliRunner().invoke(app, ["ingest", str(tmp_path)]).exit_code == 0

    assert seen == [None, 60]
