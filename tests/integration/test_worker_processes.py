"""Forked worker processes (``ocop_etl.ops.workers``): a run's files are parsed and loaded on
every core, each exactly once, and a worker never disturbs its parent's database sessions."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
from sqlalchemy import text

from ocop_etl.errors import TransientError
from ocop_etl.load.engine import get_engine
from ocop_etl.ops.workers import YOUNG_GC_THRESHOLD, run_on_worker, worker_pool
from ocop_etl.samples.generator import write_samples
from tests.integration.helpers import facts_per_file, warehouse

pytestmark = pytest.mark.integration


def _backend_pid(url: str) -> int:
    """Runs in a worker: the PostgreSQL session the worker's own engine uses."""
    with get_engine(url).connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_without_a_pool_the_work_runs_in_the_calling_process() -> None:
    assert run_on_worker(os.getpid) == os.getpid()


def test_a_worker_that_dies_fails_its_batch_as_transient_and_is_replaced() -> None:
    with worker_pool(2):
        first = run_on_worker(os.getpid)
        with pytest.raises(TransientError, match="worker process ended unexpectedly"):
            run_on_worker(os._exit, 3)  # what a segfault or the OOM killer looks like
        # The task's retry gets a fresh worker, forked anew.
        second = run_on_worker(os.getpid)
    assert os.getpid() not in (first, second)


class _Node:
    other: _Node | None = None


_kept: list[list[int]] = []
_probe: list[weakref.ref[_Node]] = []


def _leave_behind() -> None:
    """A batch's leftovers: a live cache entry, and a cycle nothing refers to any more."""
    _kept.append([1, 2, 3])
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    _probe.append(weakref.ref(a))


def _after_batch() -> tuple[bool, bool]:
    live_tracked = any(o is _kept[-1] for o in gc.get_objects())
    return _probe[-1]() is None, live_tracked


def test_after_each_batch_a_worker_collects_then_freezes_what_is_left() -> None:
    # Full collections in a worker walked every cache entry left by earlier batches (0.5-0.9 s
    # per worker per 700 files); frozen after each batch, they are never walked again. The
    # cycle must be collected first, not frozen (frozen garbage would never be freed).
    with worker_pool(1):
        run_on_worker(_leave_behind)
        cycle_freed, live_still_walked = run_on_worker(_after_batch)
    assert cycle_freed
    assert not live_still_walked


def test_a_worker_runs_young_collections_rarely_and_the_flow_process_keeps_its_own() -> None:
    # At CPython's 700 allocations a worker ran thousands of young collections per batch
    # (3-4x the collector time); the batch's own full collection (above) frees the cycles.
    before = gc.get_threshold()
    with worker_pool(1):
        in_worker = run_on_worker(gc.get_threshold)
    assert in_worker[0] == YOUNG_GC_THRESHOLD > before[0]
    assert in_worker[1:] == before[1:]
    assert gc.get_threshold() == before


class _Node:
    pass


def test_the_run_leaves_its_objects_frozen_and_a_second_run_frees_their_garbage() -> None:
    # Unfrozen after the run, the flow process's ~480k objects went back to the collector,
    # and its next full collection (0.76 s) came right after the last file. Left frozen, what
    # became garbage since must still be freed once another pool opens in the process.
    cycle = _Node()
    cycle.itself = cycle  # type: ignore[attr-defined]
    probe = weakref.ref(cycle)
    with worker_pool(2):
        run_on_worker(time.sleep, 0)
    assert gc.get_freeze_count() > 0
    del cycle
    gc.collect()
    assert probe() is not None  # frozen: no collection frees it
    with worker_pool(2):
        assert probe() is None
        run_on_worker(time.sleep, 0)


# A run's process with its pool of two workers, waiting to be killed.
_POOL_HOLDER = """
import sys, time
from ocop_etl.ops.workers import run_on_worker, worker_pool
with worker_pool(2):
    run_on_worker(time.sleep, 0)
    print("ready", flush=True)
    time.sleep(120)
"""


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_leave_when_the_run_process_is_killed() -> None:
    # kill -9 (or the OOM killer) on the flow's process: its workers must not linger,
    # waiting forever for work that will never come.
    holder = subprocess.Popen(
        [sys.executable, "-c", _POOL_HOLDER],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        workers = _children(holder.pid)
        assert len(workers) == 2
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 15  # they check for their parent every 0.5 s
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers)
    finally:
        holder.kill()


# A run's process with one worker: what the worker imports while checking its first file.
_FIRST_FILE = """
import sys
from pathlib import Path
from ocop_etl.check import check_file, warm_up
from ocop_etl.ops.workers import run_on_worker, worker_pool

def imported_by_first_file(path):
    before = set(sys.modules)
    check_file(Path(path))
    return sorted(set(sys.modules) - before)

with worker_pool(1, warm_up=warm_up if sys.argv[1] == "warm" else None):
    print(" ".join(run_on_worker(imported_by_first_file, sys.argv[2])))
"""


def test_workers_inherit_validation_ready_and_import_nothing_for_their_first_file(
    tmp_path: Path,
) -> None:
    # pandera builds its schema and imports its backends (and dask, hypothesis … where
    # installed) at a process's first validation: ~0.3 s that every worker would pay again
    # in its first batch, had the flow not warmed them up before forking them.
    (report,) = write_samples(tmp_path, files=1, rows_per_file=(3, 5), seed=5)

    def imported(mode: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_FILE, mode, str(report.path)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        return [m for m in done.stdout.split() if m.split(".")[0] == "pandera"]

    assert imported("warm") == []
    # The control: without the warm-up the worker does import them (so the check above can
    # fail; if pandera ever imports everything eagerly, this says the warm-up is moot).
    assert imported("cold") != []


_BACKGROUND = """
import sys, threading
from pathlib import Path
import ocop_etl.check as check
from ocop_etl.ops.workers import run_on_worker, worker_pool

built = check._build_once
def noted():
    print("built in", threading.current_thread().name)
    built()
check._build_once = noted

def imported_by_first_file(path):
    before = set(sys.modules)
    check.check_file(Path(path))
    return sorted(m for m in set(sys.modules) - before if m.split(".")[0] == "pandera")

check.warm_up_in_background()  # as `ocop-etl ingest` does while Prefect's server starts
with worker_pool(1, warm_up=check.warm_up):
    print("threads at the fork:", *sorted(t.name for t in threading.enumerate()))
    print("imported:", *run_on_worker(imported_by_first_file, sys.argv[1]))
"""


def test_a_warm_up_begun_in_the_background_is_done_once_and_before_the_fork(
    tmp_path: Path,
) -> None:
    (report,) = write_samples(tmp_path, files=1, rows_per_file=(3, 5), seed=5)
    done = subprocess.run(
        [sys.executable, "-c", _BACKGROUND, str(report.path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    lines = done.stdout.splitlines()
    # Built once, by the background thread; the flow's own call waited for it instead.
    assert [line for line in lines if line.startswith("built in")] == ["built in ocop-warm-up"]
    (threads,) = [line for line in lines if line.startswith("threads at the fork:")]
    assert "ocop-warm-up" not in threads.split()
    assert "imported:" in lines  # the worker's first file imported no pandera module


@pytest.mark.postgres
def test_a_worker_opens_its_own_sessions_and_leaves_the_parents_alone(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    with engine.connect() as conn:  # a pooled session the workers inherit when forked
        parent_session = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with worker_pool(2):
        worker_session = run_on_worker(_backend_pid, postgres_url)
    assert worker_session != parent_session
    # The pool's pre-ping would silently reconnect had a worker closed the inherited socket:
    # the same session answering proves it is untouched.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == parent_session


def test_nightly_run_on_forked_workers_loads_every_file_exactly_once(
    prefect_server: None,
    tmp_path: Path,
    warehouse_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flows.tasks
    from flows.nightly import nightly

    reports = write_samples(tmp_path / "inbox", files=6, rows_per_file=(3, 8), seed=31)
    monkeypatch.setenv("OCOP_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("OCOP_INBOX_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("OCOP_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("OCOP_FEEDBACK_DIR", str(tmp_path / "feedback"))
    monkeypatch.setenv("OCOP_FILES_PER_TASK", "2")
    monkeypatch.setenv("OCOP_WORKER_PROCESSES", "2")
    # Each batch notes which process ran it (the workers are forked with this patch in place).
    pids = tmp_path / "pids"
    pids.mkdir()
    original = flows.tasks.process_batch

    def noting_pid(paths, options):  # type: ignore[no-untyped-def]
        (pids / f"{os.getpid()}-{paths[0].name}").touch()
        return original(paths, options)

    monkeypatch.setattr(flows.tasks, "process_batch", noting_pid)

    state = nightly(return_state=True)

    assert state.is_completed(), state.message
    outcomes = state.result().outcomes
    assert sorted(o.status for o in outcomes) == ["loaded"] * 6
    ran_in = {int(p.name.split("-")[0]) for p in pids.iterdir()}
    # One batch of two files, then the last 2 workers × 2 files one per batch (plan_batches).
    assert len(list(pids.iterdir())) == 5
    assert ran_in and os.getpid() not in ran_in
    assert facts_per_file(warehouse(warehouse_url)) == {r.path.name: len(r.rows) for r in reports}

    # The next night finds nothing new; nothing is loaded twice.
    again = nightly(return_state=True)
    assert again.is_completed(), again.message
    assert facts_per_file(warehouse(warehouse_url)) == {r.path.name: len(r.rows) for r in reports}
