"""Per-file work on forked worker processes, so one run uses every core.

Reading, normalizing and validating a workbook is pure Python: in Prefect's task threads the
GIL lets one core work at a time, however many threads there are. During a run the flow
opens a pool of worker processes (``worker_pool``); each task's thread hands its batch of
files to a worker (``run_on_worker``) and waits for the outcomes. Prefect still sees and
retries one task per batch; each file is still loaded in its own transaction, by the worker.

Fork, not spawn: a forked worker starts in milliseconds with every module already imported;
a spawned one (Prefect's ``ProcessPoolTaskRunner``) pays ~2.5 s of imports and ~1 s building
the unit resolver before its first file — most of a night's run. What a forked worker must
not inherit is handled where it lives: the parent's database connections (``load.engine``
forgets them in the child), signal handlers (reset below). Nothing in a worker calls Prefect.

``OCOP_WORKER_PROCESSES=0`` keeps the work in the task threads (platforms without fork,
debugging with breakpoints).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import util
from typing import Any, TypeVar

from ocop_etl.errors import TransientError
from ocop_etl.load.engine import dispose_engines

T = TypeVar("T")

_PARENT_CHECK_S = 0.5
# Allocations between two young collections in a worker (CPython's default is 700). A file
# allocates hundreds of thousands of short-lived objects; at the default, the collector ran
# thousands of times a batch to find almost nothing, since each batch ends with a full
# collection anyway (``_batch``). Measured over 200 benchmark files in one process, 2 pairs:
# time in the collector 0.168 and 0.151 s at 700, 0.048 and 0.042 s at 50,000.
YOUNG_GC_THRESHOLD = 50_000
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None  # the current run's pool in this process
_size = 0


def default_worker_count() -> int:
    """One worker per CPU this process may use; none on one CPU or where fork is missing."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cpus if cpus and cpus > 1 else 0


def _init_worker() -> None:
    # The parent's handlers (Prefect's cancellation, the CLI's) make no sense here: Ctrl-C
    # reaches the whole process group and is the parent's to handle (it stops the pool);
    # SIGTERM from the pool's shutdown must simply end the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A worker that ends normally closes its own database connections (PostgreSQL would
    # otherwise log every worker's session as an unexpected EOF).
    util.Finalize(None, dispose_engines, exitpriority=10)
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="ocop-parent-watch", daemon=True
    ).start()


def _exit_with_parent(parent: int) -> None:
    # A forked worker holds both ends of its work queue, so when the flow process dies
    # (kill -9, the OOM killer) the queue never reports EOF and the worker would wait for
    # work forever. It leaves instead; if it was in the middle of a file, that file's
    # transaction rolls back and the next run loads it.
    while True:
        time.sleep(_PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)


def _started() -> int:
    return os.getpid()


def _batch(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker, then what it left alive is frozen for the collector.

    What outlives a batch is long-lived: the caches of parsed names and units, the blocks'
    producers. Left to the collector, every full collection walked all of it again, and they
    grow with the run: 8 of them cost 0.5-0.9 s per worker in a 700-file run (gc.callbacks),
    of ~12 s of its CPU. Collected first (nothing unreachable gets frozen), then frozen: each
    batch's collection walks only what that batch created. A frozen object is still freed
    when its last reference goes (an entry evicted from a cache, a province block); only a
    reference cycle among frozen objects stays until the worker ends (say, the records of a
    pooled connection discarded after a database error): rare, and a few objects each.
    """
    try:
        return fn(*args)
    finally:
        gc.collect()
        gc.freeze()


def _freeze_for_workers() -> None:
    """Freeze what exists now: it lives as long as the workers.

    Frozen, the collector in a worker never traverses it (a full collection over the
    reference tables and caches cost ~8 % of a run) and never writes to its pages, which then
    stay shared with the parent instead of being copied into every worker.
    """
    if gc.get_freeze_count():
        # An earlier pool in this process (a test session, say) left its objects frozen (see
        # the end of worker_pool): they are handed back and collected once, so that what
        # became garbage since is freed, not frozen for good.
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def _new_pool(size: int) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(
        max_workers=size, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker
    )
    # With fork, every worker is forked at the first submit, from the submitting thread: do
    # it now, from this one, rather than from whichever task thread comes first.
    pool.submit(_started).result()
    return pool


@contextmanager
def worker_pool(size: int, warm_up: Callable[[], object] | None = None) -> Iterator[int]:
    """Workers for the duration of a run; yields how many (0: work stays in the threads).

    ``warm_up`` builds, once in this process, what every worker needs (the unit resolver,
    pandera's schema and backends: ``ocop_etl.check.warm_up``): the workers inherit it
    instead of each building its own in its first batch.
    """
    global _pool, _size
    if size <= 0:
        yield 0
        return
    with _lock:
        nested = _pool is not None  # a flow calling a flow: the inner run shares the pool
        if not nested:
            if warm_up is not None:
                warm_up()
            _freeze_for_workers()
            try:
                _pool, _size = _new_pool(size), size
            except BaseException:
                gc.unfreeze()  # no pool (fork refused, out of memory): nothing to share
                raise
    if nested:
        yield _size
        return
    try:
        yield size
    finally:
        with _lock:
            pool, _pool, _size = _pool, None, 0
        # Left frozen. Unfrozen, the ~480k objects of a 700-file run's flow process (reference
        # tables, caches, Prefect's state) went back to the collector, whose next full
        # collection then came right after the last file, with nothing left to overlap it:
        # 0.76 s (measured). A flow process runs one flow run (the CLI, the subprocess a
        # Prefect runner or worker starts); one that opens another pool collects them first.
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def run_on_worker(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a worker of the current run's pool, or right here when there is none.

    ``fn`` and its arguments cross a process boundary: a module-level function and plain
    values. A worker that died (killed, out of memory) breaks the pool: it is replaced and the
    batch raises TransientError, so the task's retry runs it on a fresh worker.
    """
    global _pool
    pool = _pool
    if pool is None:
        return fn(*args)
    try:
        return pool.submit(_batch, fn, *args).result()
    except BrokenProcessPool as exc:
        with _lock:
            if _pool is pool:
                _pool = _new_pool(_size)
        pool.shutdown(wait=False, cancel_futures=True)
        raise TransientError(
            f"A worker process ended unexpectedly ({exc}); the batch is retried on a new one."
        ) from exc


__all__ = ["default_worker_count", "run_on_worker", "worker_pool"]
