"""Creating warehouse engines, and showing their URLs without secrets."""

from __future__ import annotations

import os
from functools import cache

from sqlalchemy import Engine, create_engine, event, make_url

# Engines this process created, and engines a forked worker inherited from its parent.
_CREATED: list[Engine] = []
_INHERITED: list[Engine] = []


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for logs, artifacts and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL must still never be printed raw
        return "<database URL not shown>"


@cache
def get_engine(url: str) -> Engine:
    """One engine (and pool) per URL per process; tasks share it."""
    engine = _create(url)
    _CREATED.append(engine)
    return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Several task threads may write: wait for the lock instead of failing at once.
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers (BI tools) do not block the loader
            # In WAL mode NORMAL never corrupts the database and survives a killed process;
            # only a power cut can undo the last commits, ledger rows included, so those
            # files are simply loaded again by the next run. FULL fsyncs every commit
            # (~3 ms each, holding the write lock).
            cur.execute("PRAGMA synchronous=NORMAL")
            # A checkpoint (WAL pages copied into the database, then an fsync) is run by the
            # commit that finds the WAL past this many pages. SQLite's default, 1,000 pages
            # (4 MB), meant one every ~10 files, run by a worker inside its commit; the pages
            # every file rewrites (index edges, the ledger) were copied again each time.
            # 10,000 pages (40 MB of WAL on disk): workers' time in commits per 700-file run
            # 1.5-2.0 s instead of 2.7-3.5 s, in two pairs of runs (py-spy).
            cur.execute("PRAGMA wal_autocheckpoint=10000")
            cur.close()

        return engine
    # synchronous_commit=off: a commit returns before its WAL reaches the disk (one flush
    # per ~0.2 s instead of one per file). A server crash can then undo the last commits,
    # never part of one; the ledger rows go with them, so those files are loaded again by
    # the next run. A client crash loses nothing. Only this loader's sessions are affected.
    return create_engine(
        url, pool_pre_ping=True, connect_args={"options": "-c synchronous_commit=off"}
    )


def _forget_parent_engines() -> None:
    """In a forked worker: never use, nor close, the parent's pooled connections.

    Their sockets and SQLite handles are shared with the parent; using one from two processes
    corrupts the conversation, and closing one (even by garbage collection: psycopg says
    goodbye to the server) ends the parent's session. So the child keeps them referenced and
    untouched (a worker ends with os._exit, which finalizes nothing) and opens its own.
    """
    _INHERITED.extend(_CREATED)
    _CREATED.clear()
    get_engine.cache_clear()


def dispose_engines() -> None:
    """Close this process's own pooled connections (a worker that is shutting down)."""
    for engine in _CREATED:
        engine.dispose()


os.register_at_fork(after_in_child=_forget_parent_engines)
