"""``python -m benchmarks.run`` (``make bench``): naive script vs floor vs pipeline.

One run, interleaved and repeated: for each round, each backend (SQLite, PostgreSQL) and each
variant (naive, floor, pipeline) in turn, a fresh warehouse gets a COLD run (empty warehouse,
every file loaded) and then a NO-CHANGE run (the same files again: fingerprinting only).
Every run is its own process (``benchmarks.child``), which reports its wall time, rows and
peak RSS. The pipeline's time is its data work: the ``ingest`` flow call, with the Prefect
server's start-up measured apart. The machine is shared and noisy: quote the RATIOS, which
are medians of same-round ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.workload import Workload, ensure_workload

REPO = Path(__file__).resolve().parent.parent
VARIANTS = ("naive", "floor", "pipeline")
MODES = ("cold", "nochange")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=700, help="report files (default 700)")
    ap.add_argument("--min-rows", type=int, default=100, help="product rows per file, at least")
    ap.add_argument("--max-rows", type=int, default=300, help="product rows per file, at most")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--rounds", type=int, default=3, help="repetitions of the interleaved set")
    ap.add_argument("--quick", action="store_true", help="tiny workload, one round (smoke test)")
    ap.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("OCOP_TEST_POSTGRES_URL", DEFAULT_PG),
        help="a PostgreSQL server where benchmark databases may be created and dropped",
    )
    ap.add_argument("--out", type=Path, default=REPO / "bench-out", help="results folder")
    ap.add_argument(
        "--workloads", type=Path, default=None, help="workload cache (default OUT/workloads)"
    )
    ap.add_argument("--files-per-task", type=int, default=None, help="OCOP_FILES_PER_TASK")
    ap.add_argument(
        "--task-runner", choices=["threads", "processes"], default=None, help="OCOP_TASK_RUNNER"
    )
    ap.add_argument(
        "--workers", type=int, default=None, help="OCOP_WORKER_PROCESSES (default: one per CPU)"
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.files, args.min_rows, args.max_rows, args.rounds = 6, 5, 15, 1
    return args


# --- databases -----------------------------------------------------------------------------


def _pg_admin(pg_url: str) -> Any:
    import psycopg

    return psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def pg_available(pg_url: str) -> bool:
    try:
        _pg_admin(pg_url).close()
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL, say so
        return False
    return True


class Warehouse:
    """A fresh, empty database for one variant's cold + no-change pair; removed afterwards."""

    def __init__(self, backend: str, folder: Path, pg_url: str) -> None:
        self.backend, self.folder, self.pg_url = backend, folder, pg_url
        self.name = f"ocop_bench_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            folder.mkdir(parents=True, exist_ok=True)
            self.url = f"sqlite:///{folder / 'warehouse.db'}"
        else:
            with _pg_admin(pg_url) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            base, _, _ = pg_url.rpartition("/")
            self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        if self.backend == "postgres":
            with _pg_admin(self.pg_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- runs ------------------------------------------------------------------------------------


def child_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCOP_", "PREFECT_"))}
    env.update(
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        # Stable home: the temporary server's own database is migrated once, not every run.
        PREFECT_HOME=str(args.out / "prefect-home"),
        # The defaults `ocop-etl ingest` sets for a run without PREFECT_API_URL (cli.py).
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED="false",
        PREFECT_SERVER_LOGGING_LEVEL="CRITICAL",
        PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW="ignore",
        PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL="WARNING",
    )
    if args.files_per_task:
        env["OCOP_FILES_PER_TASK"] = str(args.files_per_task)
    if args.task_runner:
        env["OCOP_TASK_RUNNER"] = args.task_runner
    if args.workers is not None:
        env["OCOP_WORKER_PROCESSES"] = str(args.workers)
    return env


def run_child(
    variant: str, mode: str, inbox: Path, url: str, work: Path, env: dict[str, str]
) -> dict[str, Any]:
    result = work / f"{variant}-{mode}.json"
    cmd = [sys.executable, "-m", "benchmarks.child", variant, mode, "--inbox", str(inbox),
           "--db", url, "--work", str(work), "--result", str(result)]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result.exists():
        raise RuntimeError(
            f"{variant} {mode} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    out: dict[str, Any] = json.loads(result.read_text())
    out["wall_s"] = wall
    return out


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    # Absolute: every measured run works in its own folder (benchmarks.child chdirs there).
    workloads = (args.workloads or args.out / "workloads").resolve()
    spec = Workload(args.files, args.min_rows, args.max_rows, args.seed)
    t0 = time.perf_counter()
    inbox, rows = ensure_workload(spec, workloads)
    print(f"workload {spec.key}: {rows} rows in {args.files} files ({inbox}), "
          f"ready in {time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
    backends = list(args.backends)
    notes = []
    if "postgres" in backends and not pg_available(args.pg_url):
        backends.remove("postgres")
        notes.append(f"PostgreSQL not reachable at {args.pg_url}: skipped (scripts/ensure-postgres)")
        print(notes[-1], flush=True)
    env = child_env(args)
    scratch = args.out / "runs" / time.strftime("%Y%m%d-%H%M%S")
    results: list[dict[str, Any]] = []
    for rnd in range(1, args.rounds + 1):
        for backend in backends:
            for variant in args.variants:
                work = scratch / f"r{rnd}-{backend}-{variant}"
                wh = Warehouse(backend, work, args.pg_url)
                try:
                    for mode in MODES:
                        res = run_child(variant, mode, inbox, wh.url, work, env)
                        res.update(round=rnd, backend=backend, variant=variant, mode=mode)
                        results.append(res)
                        print(f"  round {rnd} {backend:8} {variant:8} {mode:8} "
                              f"{res['work_s']:7.2f} s  {res['rows']:>7} rows  "
                              f"{res['peak_rss_mb']:6.0f} MB", flush=True)  # fmt: skip
                finally:
                    wh.drop()
                    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return {
        "workload": {**spec.__dict__, "rows": rows},
        "rounds": args.rounds,
        "backends": backends,
        "variants": list(args.variants),
        "notes": notes,
        "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
        "runs": results,
        "summary": summarize(results),
    }


# --- summary ---------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    def pick(backend: str, mode: str, variant: str) -> list[dict[str, Any]]:
        return [r for r in results if (r["backend"], r["mode"], r["variant"]) == (backend, mode, variant)]

    def same_round_ratio(backend: str, mode: str, top: str, bottom: str) -> float | None:
        by_round = {
            r["round"]: r["work_s"] for r in pick(backend, mode, bottom) if r["work_s"] > 0
        }
        return _median(
            [r["work_s"] / by_round[r["round"]] for r in pick(backend, mode, top) if r["round"] in by_round]
        )

    rows = []
    ratios = []
    keys = sorted({(r["backend"], r["mode"]) for r in results}, key=lambda k: (k[0] != "sqlite", k[1] != "cold"))
    for backend, mode in keys:
        for variant in VARIANTS:
            runs = pick(backend, mode, variant)
            if not runs:
                continue
            work = _median([r["work_s"] for r in runs]) or 0.0
            loaded = max(r["rows"] for r in runs)
            files = max(r["files"] for r in runs)
            rows.append(
                {
                    "backend": backend,
                    "mode": mode,
                    "variant": variant,
                    "runs": len(runs),
                    "work_s": work,
                    "min_work_s": min(r["work_s"] for r in runs),
                    "rows": loaded,
                    "rows_per_s": loaded / work if work and loaded else None,
                    "files_per_s": files / work if work else None,
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                    "children_peak_rss_mb": max(r.get("children_peak_rss_mb", 0) for r in runs),
                    "prefect_startup_s": _median(
                        [r["prefect_startup_s"] for r in runs if "prefect_startup_s" in r]
                    ),
                    "process_s": _median([r["wall_s"] for r in runs]),
                    "cpu_s": _cpu_medians(runs),
                }
            )
        ratios.append(
            {
                "backend": backend,
                "mode": mode,
                "pipeline_over_floor": same_round_ratio(backend, mode, "pipeline", "floor"),
                "naive_over_pipeline": same_round_ratio(backend, mode, "naive", "pipeline"),
            }
        )
    pg_over_sqlite = {}
    for mode in MODES:
        pg = {r["round"]: r["work_s"] for r in results if (r["backend"], r["mode"], r["variant"]) == ("postgres", mode, "pipeline")}  # noqa: E501
        sq = {r["round"]: r["work_s"] for r in results if (r["backend"], r["mode"], r["variant"]) == ("sqlite", mode, "pipeline")}  # noqa: E501
        pg_over_sqlite[mode] = _median([pg[k] / sq[k] for k in pg if k in sq and sq[k] > 0])
    return {"rows": rows, "ratios": ratios, "pipeline_postgres_over_sqlite": pg_over_sqlite}


def _cpu_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Median CPU seconds per role of the pipeline's processes (see ``child.TreeMemory``)."""
    roles = sorted({role for r in runs for role in r.get("cpu_s", {})})
    return {role: statistics.median(r["cpu_s"].get(role, 0.0) for r in runs) for role in roles}


def _f(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def render(report: dict[str, Any]) -> str:
    s = report["summary"]
    w = report["workload"]
    lines = [
        f"OCOP ETL benchmark — {w['files']} files, {w['rows']} rows "
        f"({w['min_rows']}–{w['max_rows']} per file), {report['rounds']} round(s), "
        f"medians; machine: {report['machine']['cpus']} CPUs",
        "",
        "Ratios (median of same-round ratios; quote these):",
        "| backend | run | pipeline / floor | naive / pipeline |",
        "|---|---|---:|---:|",
    ]
    for r in s["ratios"]:
        lines.append(
            f"| {r['backend']} | {r['mode']} | {_f(r['pipeline_over_floor'], '.2f')}× "
            f"| {_f(r['naive_over_pipeline'], '.2f')}× |"
        )
    pg = s["pipeline_postgres_over_sqlite"]
    lines += [
        "",
        f"Pipeline PostgreSQL / SQLite: cold {_f(pg.get('cold'), '.2f')}×, "
        f"no-change {_f(pg.get('nochange'), '.2f')}×",
        "",
        "| backend | run | variant | time s (min) | rows/s | files/s | peak RSS MB "
        "| child peak MB | Prefect start-up s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in s["rows"]:
        lines.append(
            f"| {r['backend']} | {r['mode']} | {r['variant']} "
            f"| {r['work_s']:.2f} ({r['min_work_s']:.2f}) | {_f(r['rows_per_s'], ',.0f')} "
            f"| {_f(r['files_per_s'], ',.0f')} | {r['peak_rss_mb']:.0f} "
            f"| {r['children_peak_rss_mb']:.0f} | {_f(r['prefect_startup_s'], '.1f')} |"
        )
    cpu = [r for r in s["rows"] if r.get("cpu_s")]
    if cpu:
        cores = report["machine"]["cpus"]
        lines += ["", f"Pipeline CPU seconds by process (medians; the cores had {cores} × time):"]
        lines += [
            f"- {r['backend']} {r['mode']}: "
            + ", ".join(f"{role} {seconds:.1f}" for role, seconds in r["cpu_s"].items())
            for r in cpu
        ]
    lines += [
        "",
        "time = the variant's work; for the pipeline, the `ingest` flow call (its data work:",
        "Prefect server start-up excluded, shown apart; a cold warehouse is migrated before).",
        "peak RSS = the measured process (VmHWM); for the pipeline the larger of that and the",
        "peak summed PSS of it and its forked workers (sampled every 0.5 s).",
        "child peak = its largest finished child (the Prefect server, or a worker).",
        "CPU by process: flow = the flow's process, workers = its forked workers, server = the",
        "temporary Prefect server, postgres = the local PostgreSQL server's processes.",
        *report["notes"],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    report = run_all(args)
    text = render(report)
    print()
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (args.out / name).write_text(json.dumps(report, indent=2, default=str))
    (args.out / "latest.md").write_text(text + "\n")
    print(f"\nresults: {args.out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
