"""One measured run in its own process: ``python -m benchmarks.child VARIANT MODE ...``.

A fresh process per run makes peak memory (VmHWM) the variant's own, and keeps caches of one
variant from warming another. Writes its measurements as JSON to ``--result``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """The largest peak of this process's finished children (process-pool workers, and the
    temporary Prefect server for the pipeline), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _pss_mb(pid: int) -> float:
    """Proportional set size: a page shared by n processes counts 1/n in each, so the sum
    over a forked tree is its real memory (RSS would count shared pages once per process)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass  # the process ended between listing and reading
    return 0.0


def _descendants(pid: int) -> list[int]:
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        out += [int(child), *_descendants(int(child))]
    return out


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds the process has used so far (None once it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    """This machine's PostgreSQL server processes (a local test server shares the cores)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    pids.append(int(proc.name))
            except OSError:
                continue  # ended while listing
    return pids


class TreeMemory:
    """Peak of the summed PSS of this process and its descendants (the forked workers),
    sampled every 0.5 s; ``exclude`` (the Prefect server) is not the pipeline's memory.

    It also keeps each process's CPU time as last seen, so a run can say where its CPU went:
    ``cpu_s`` = {"flow": this process, "workers": its other descendants, "server": exclude,
    and with ``postgres`` "postgres": the local PostgreSQL server's processes}.
    On 2 cores, that split is what tells parallel work from overhead."""

    def __init__(self, exclude: set[int], *, postgres: bool = False) -> None:
        import threading

        self.exclude, self.peak_mb, self.postgres = exclude, 0.0, postgres
        self._cpu: dict[int, float] = {}
        self._postgres: set[int] = set()
        self.sampler_cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = os.getpid()
        start = {p: _cpu_s(p) or 0.0 for p in [me, *_descendants(me), *self._server_pids()]}
        # Reading smaps_rollup makes the kernel walk every page of the process: at 50 ms
        # for three 300 MB processes the sampler alone took ~9 s of CPU from the 2 cores
        # the pipeline runs on (py-spy). Memory moves batch by batch (seconds), so 0.5 s
        # still sees the peak; the sampler's own CPU is reported as sampler_cpu_s.
        while not self._stop.wait(0.5):
            tree = _descendants(me)
            pids = [me, *(p for p in tree if p not in self.exclude)]
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(p) for p in pids))
            for pid in [me, *tree, *self._server_pids()]:
                used = _cpu_s(pid)
                if used is not None:
                    self._cpu[pid] = used - start.get(pid, 0.0)
        self.sampler_cpu_s = time.thread_time()

    def _server_pids(self) -> list[int]:
        # Its backends come and go with the workers' connections: listed at every sample.
        if self.postgres:
            self._postgres.update(_postgres_pids())
        return sorted(self._postgres)

    @property
    def cpu_s(self) -> dict[str, float]:
        me = os.getpid()
        split = {"flow": 0.0, "workers": 0.0, "server": 0.0}
        if self.postgres:
            split["postgres"] = 0.0
        for pid, used in self._cpu.items():
            role = (
                "flow"
                if pid == me
                else "postgres"
                if pid in self._postgres
                else "server"
                if pid in self.exclude
                else "workers"
            )
            split[role] += used
        return split

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _baseline(variant: str, mode: str, inbox: Path, url: str) -> dict[str, Any]:
    from benchmarks import baseline

    files = baseline.report_files(inbox)
    run = baseline.run_naive if variant == "naive" else baseline.run_floor
    t0 = time.perf_counter()
    rows = run(files, url, no_change=mode == "nochange")
    return {"work_s": time.perf_counter() - t0, "rows": rows, "files": len(files)}


def _pipeline(mode: str, inbox: Path, url: str, work: Path) -> dict[str, Any]:
    """``ocop-etl ingest`` as the CLI runs it, with the Prefect server's start-up timed apart."""
    t0 = time.perf_counter()
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest import ingest
    from ocop_etl.load.engine import get_engine
    from ocop_etl.load.migrate import ensure_current

    t_import = time.perf_counter()
    from ocop_etl.check import warm_up_in_background
    from ocop_etl.cli import STARTUP_S, adhoc_run_settings

    warm_up_in_background()  # as `ocop-etl ingest` does while Prefect's server starts
    server = SubprocessASGIServer()
    server.start(timeout=STARTUP_S)  # as `ocop-etl ingest` allows it (cli.py)
    t_server = time.perf_counter()
    setup_s = 0.0
    if mode == "cold":
        # An empty warehouse at the current schema, as after `ocop-etl db upgrade`: creating
        # it (migrations, ~14k reference units) is a one-off, not per-file data work.
        ensure_current(get_engine(url))
        setup_s = time.perf_counter() - t_server
    try:
        server_pids = {server.server_process.pid} if server.server_process else set()
        server_pids |= {p for pid in server_pids for p in _descendants(pid)}
        # The server is started here to time it apart; the run is an ad-hoc one, as the
        # CLI's on its temporary server (cli.adhoc_run_settings).
        adhoc = {PREFECT_API_URL: server.api_url, **adhoc_run_settings()}
        with temporary_settings(adhoc), TreeMemory(
            server_pids, postgres=url.startswith("postgresql")
        ) as tree:
            t1 = time.perf_counter()
            state = ingest(
                paths=[str(inbox)], database_url=url, source_label="bench", return_state=True
            )
            t2 = time.perf_counter()
            summary = state.result(raise_on_failure=False)
    finally:
        server.stop()
    outcomes = getattr(summary, "outcomes", [])
    statuses: dict[str, int] = {}
    for o in outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    return {
        "work_s": t2 - t1,
        "prefect_startup_s": t_server - t_import,
        "import_s": t_import - t0,
        "setup_s": setup_s,
        "rows": sum(o.rows_loaded for o in outcomes),
        "files": len(outcomes),
        "statuses": statuses,
        "state": state.type.value,
        "tree_peak_mb": tree.peak_mb,
        "cpu_s": tree.cpu_s,
        "sampler_cpu_s": tree.sampler_cpu_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=["naive", "floor", "pipeline"])
    ap.add_argument("mode", choices=["cold", "nochange"])
    ap.add_argument("--inbox", type=Path, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    os.chdir(args.work)  # no stray .env; data/ (archive, feedback) lands in the run's folder
    t0 = time.perf_counter()
    if args.variant == "pipeline":
        out = _pipeline(args.mode, args.inbox, args.db, args.work)
    else:
        out = _baseline(args.variant, args.mode, args.inbox, args.db)
    out["process_s"] = time.perf_counter() - t0
    # With forked workers the run's memory is the whole tree's, not this process's alone.
    out["peak_rss_mb"] = max(peak_rss_mb(), out.get("tree_peak_mb", 0.0))
    out["children_peak_rss_mb"] = children_peak_rss_mb()
    args.result.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
