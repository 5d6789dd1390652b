"""The benchmark (``make bench``) runs end to end on a tiny workload and fills its whole table.

Only that it runs and reports: no timing is asserted anywhere (the machine is shared).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.integration
@pytest.mark.postgres
def test_quick_benchmark_produces_every_row(tmp_path: Path) -> None:
    out = tmp_path / "bench-out"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "latest.json").read_text())
    assert report["backends"] == ["sqlite", "postgres"], report["notes"]

    rows = {(r["backend"], r["mode"], r["variant"]): r for r in report["summary"]["rows"]}
    expected = {
        (b, m, v)
        for b in ("sqlite", "postgres")
        for m in ("cold", "nochange")
        for v in ("naive", "floor", "pipeline")
    }
    assert set(rows) == expected
    for (_, mode, variant), row in rows.items():
        assert row["work_s"] > 0 and row["peak_rss_mb"] > 0
        if mode == "cold":
            assert row["rows"] > 0, (mode, variant)
        else:
            assert row["rows"] == 0, (mode, variant)  # nothing changed: nothing loaded again
        if variant == "pipeline":
            assert row["prefect_startup_s"] is not None

    pipeline_runs = [r for r in report["runs"] if r["variant"] == "pipeline"]
    assert all(r["state"] == "COMPLETED" for r in pipeline_runs)
    assert all(set(r["statuses"]) <= {"loaded", "skipped_duplicate"} for r in pipeline_runs)

    ratios = {(r["backend"], r["mode"]): r for r in report["summary"]["ratios"]}
    assert set(ratios) == {(b, m) for b, m, _ in expected}
    assert all(r["pipeline_over_floor"] and r["naive_over_pipeline"] for r in ratios.values())
    for label in ("pipeline / floor", "naive / pipeline", "peak RSS MB"):
        assert label in proc.stdout
    # Workloads are cached by parameters: nothing is regenerated next time.
    assert list((out / "workloads").glob("*/complete.json"))
