"""SQLite WAL checkpoints during a run, from a thread of the flow process instead of the workers.

In WAL mode a commit appends pages to the WAL; a checkpoint copies them into the database file.
By itself SQLite checkpoints in the commit that finds the WAL past ``wal_autocheckpoint``
pages (``load.engine``: 10,000): a worker then copies ~40 MB inside its file's load, and while
the other worker reads, the WAL cannot start over, so the commits after it checkpoint again.
In 700-file runs 11-23 commits took over 5 ms (up to 56): 0.33-0.50 s of
the workers' 0.64-0.84 s in commits (6 runs). Never checkpointing is no way out: a reader
searches the WAL frames written since the last checkpoint for the pages it needs, and with
no checkpoint at all the workers used 0.8-1.6 s more CPU (2 runs).

``background_checkpoints`` runs a PASSIVE checkpoint every quarter second while the workers
load: it never waits for a lock nor blocks a reader or writer, copies what is committed, and
spends its time in the flow process, which only waits for the workers. A checkpoint changes
no data; if one fails the thread stops and SQLite's own checkpoints carry on as before.
With it, 3-4 commits of a run took over 5 ms, 0.35-0.36 s in all (3 runs).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url

from ocop_etl.load.engine import get_engine

log = logging.getLogger(__name__)

EVERY_S = 0.25

# Held while a checkpoint runs, and by a fork: a worker forked while the thread was inside
# SQLite (holding one of its process-wide mutexes) could hang in its first SQLite call.
_in_sqlite = threading.Lock()
os.register_at_fork(
    before=_in_sqlite.acquire,
    after_in_parent=_in_sqlite.release,
    after_in_child=_in_sqlite.release,
)


@contextmanager
def background_checkpoints(url: str | None, every_s: float = EVERY_S) -> Iterator[None]:
    """While the block runs, checkpoint the SQLite warehouse at ``url`` every ``every_s``
    seconds from a daemon thread; other databases (PostgreSQL) need nothing: a no-op."""
    if not url or make_url(url).get_backend_name() != "sqlite":
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_checkpoint_until, args=(url, stop, every_s), name="ocop-wal-checkpoint", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _checkpoint_until(url: str, stop: threading.Event, every_s: float) -> None:
    try:
        with _in_sqlite:
            conn = get_engine(url).connect()
        try:
            while not stop.wait(every_s):
                with _in_sqlite:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            with _in_sqlite:
                conn.close()
    except Exception as exc:  # noqa: BLE001 - maintenance only: the run must never fail for it
        log.debug("Background WAL checkpoints stopped: %s", exc)


__all__ = ["background_checkpoints"]
