"""Profile the pipeline's data work on a benchmark workload: ``python -m benchmarks.profile``.

Runs ``pipeline.process_batch`` over the workload (batches of ``OCOP_FILES_PER_TASK``'s
default) into a fresh SQLite warehouse, without Prefect, under pyinstrument; writes the text
report to ``bench-out/profile.txt`` (and ``profile.html``). Needs the dev extra (pyinstrument).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.run import REPO
from benchmarks.workload import Workload, ensure_workload


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    ap.add_argument("--files", type=int, default=700)
    ap.add_argument("--min-rows", type=int, default=100)
    ap.add_argument("--max-rows", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=REPO / "bench-out")
    args = ap.parse_args(argv)

    from pyinstrument import Profiler

    from ocop_etl.check import shared_resolver
    from ocop_etl.config import Settings
    from ocop_etl.files import discover
    from ocop_etl.load import ledger
    from ocop_etl.load.engine import get_engine
    from ocop_etl.load.migrate import ensure_current
    from ocop_etl.pipeline import RunOptions, process_batch

    spec = Workload(args.files, args.min_rows, args.max_rows, args.seed)
    inbox, rows = ensure_workload(spec, args.out / "workloads")
    files = discover([inbox])
    size = Settings.model_fields["files_per_task"].default
    with tempfile.TemporaryDirectory(prefix="ocop-profile-") as tmp:
        engine = get_engine(f"sqlite:///{Path(tmp) / 'warehouse.db'}")
        ensure_current(engine)
        shared_resolver()  # built once per process in a real run too; not the data work
        options = RunOptions(
            engine=engine,
            archive_dir=Path(tmp) / "archive",
            feedback_dir=Path(tmp) / "feedback",
            load_id=ledger.start_load(engine, source="profile", flow_run_id=None),
        )
        profiler = Profiler()
        t0 = time.perf_counter()
        with profiler:
            outcomes = [
                o for i in range(0, len(files), size) for o in process_batch(files[i : i + size], options)
            ]
        elapsed = time.perf_counter() - t0
        engine.dispose()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "profile.txt").write_text(profiler.output_text(unicode=True, show_all=False))
    (args.out / "profile.html").write_text(profiler.output_html())
    loaded = sum(o.rows_loaded for o in outcomes)
    print(f"{len(files)} files, {loaded}/{rows} rows loaded in {elapsed:.1f} s (profiled)")
    print(f"profile: {args.out / 'profile.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
