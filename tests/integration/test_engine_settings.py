"""The warehouse sessions' documented settings (README, Reliability): what a loader commit
waits for on each database, and that SQLite readers never block the loader."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ocop_etl.load.engine import get_engine

pytestmark = pytest.mark.integration


def test_sqlite_sessions_use_wal_with_normal_sync_rare_checkpoints_and_foreign_keys(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        # Checkpoints every 40 MB of WAL, not SQLite's 4 MB (engine.py says why).
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == 10000


@pytest.mark.postgres
def test_postgres_loader_sessions_commit_without_waiting_for_the_wal_flush(
    postgres_url: str,
) -> None:
    with get_engine(postgres_url).connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        # Only the loader's own sessions: the server's default is untouched.
        assert conn.execute(text("SELECT boot_val FROM pg_settings "
                                 "WHERE name = 'synchronous_commit'")).scalar_one() == "on"
