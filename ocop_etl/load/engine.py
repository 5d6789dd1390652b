"""Creating warehouse engines, and showing their URLs without secrets."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine, create_engine, event, make_url


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for logs, artifacts and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL must still never be printed raw
        return "<database URL not shown>"


@cache
def get_engine(url: str) -> Engine:
    """One engine (and pool) per URL per process; tasks share it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Several task threads may write: wait for the lock instead of failing at once.
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers (BI tools) do not block the loader
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)
