"""Where the pipeline's time goes, stage by stage: ``python -m benchmarks.stages``.

Runs the pipeline's own functions over a benchmark workload in one process, without Prefect,
into a fresh SQLite (or ``--db``) warehouse, and times each stage of the data path apart:
read (``read_report``), normalize (``to_canonical`` + reporting unit), validate (one
``validate_many`` per batch, as ``process_batch`` does), feedback, load (content hash +
``load_file``). Prints milliseconds per file and microseconds per row for each stage.

It is a measuring tool, not the pipeline: ``pipeline.process_batch`` is what runs. The stage
split is what tells a change to one module what it bought. Absolute times move with the
machine's load; compare stages within one run, or the same stage before and after a change
run back to back.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.run import REPO
from benchmarks.workload import Workload, ensure_workload

STAGES = ("read", "normalize", "validate", "feedback", "load")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--min-rows", type=int, default=100)
    ap.add_argument("--max-rows", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--batch", type=int, default=25, help="files per validate_many call")
    ap.add_argument("--db", default=None, help="warehouse URL (default: a fresh SQLite file)")
    ap.add_argument("--out", type=Path, default=REPO / "bench-out")
    args = ap.parse_args(argv)

    from ocop_etl.check import content_hash, reporting_unit, shared_resolver, validate_many
    from ocop_etl.extract import read_report
    from ocop_etl.extract.limits import configured_limits
    from ocop_etl.feedback.annotate import write_feedback
    from ocop_etl.files import discover, fingerprint
    from ocop_etl.load import ledger
    from ocop_etl.load.engine import get_engine
    from ocop_etl.load.loader import load_file
    from ocop_etl.load.migrate import ensure_current
    from ocop_etl.transforms.normalize import ReportContext, to_canonical

    spec = Workload(args.files, args.min_rows, args.max_rows, args.seed)
    inbox, _ = ensure_workload(spec, args.out / "workloads")
    files = discover([inbox])
    seconds: dict[str, float] = defaultdict(float)
    rows = 0
    with tempfile.TemporaryDirectory(prefix="ocop-stages-") as tmp:
        engine = get_engine(args.db or f"sqlite:///{Path(tmp) / 'warehouse.db'}")
        ensure_current(engine)
        resolver = shared_resolver()
        limits = configured_limits()
        load_id = ledger.start_load(engine, source="stages", flow_run_id=None)
        for start in range(0, len(files), args.batch):
            batch = []
            for path in files[start : start + args.batch]:
                facts = fingerprint(path)
                t0 = time.perf_counter()
                report = read_report(path, limits=limits)
                t1 = time.perf_counter()
                meta = report.meta
                context = ReportContext(meta.province, meta.district, meta.year, meta.decision)
                canonical = to_canonical(report.rows, context, resolver)
                submission = reporting_unit(report, canonical, resolver, path)
                t2 = time.perf_counter()
                seconds["read"] += t1 - t0
                seconds["normalize"] += t2 - t1
                batch.append((facts, report, canonical, submission))
            t0 = time.perf_counter()
            results = validate_many([b[2] for b in batch])
            seconds["validate"] += time.perf_counter() - t0
            for (facts, report, _canonical, submission), result in zip(batch, results, strict=True):
                issues = [*report.issues, *result.issues]
                t0 = time.perf_counter()
                feedback = (
                    write_feedback(facts.path, issues, Path(tmp) / "feedback") if issues else None
                )
                t1 = time.perf_counter()
                with engine.connect() as conn:
                    loaded = load_file(
                        conn,
                        facts,
                        load_id=load_id,
                        flow_run_id=None,
                        submission=submission,
                        valid=result.valid,
                        rejected=result.rejected,
                        issues=issues,
                        content_sha256=content_hash(report.rows),
                        archive_path=None,
                        raw_rows=report.rows,
                        feedback_path=str(feedback) if feedback else None,
                    )
                t2 = time.perf_counter()
                seconds["feedback"] += t1 - t0
                seconds["load"] += t2 - t1
                rows += loaded.rows_loaded + len(result.rejected)
        engine.dispose()
    total = sum(seconds.values())
    print(f"{len(files)} files, {rows} rows; {total:.2f} s of data work, {rows / total:,.0f} rows/s")
    print(f"{'stage':10} {'s':>7} {'share':>6} {'ms/file':>8} {'µs/row':>7}")
    for stage in STAGES:
        s = seconds[stage]
        print(
            f"{stage:10} {s:7.2f} {s / total:6.1%} {1000 * s / len(files):8.2f}"
            f" {1e6 * s / max(rows, 1):7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
