"""SQLite WAL checkpoints run from the flow process during a run (``load.checkpoints``), so
no worker copies the WAL into the database inside a file's commit."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ocop_etl.load.checkpoints import background_checkpoints
from ocop_etl.load.engine import get_engine

pytestmark = pytest.mark.integration

THREAD = "ocop-wal-checkpoint"


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate()}


def _write_mb(url: str, mb: int) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS blob_rows (payload TEXT)"))
        conn.execute(text("INSERT INTO blob_rows VALUES (:p)"), [{"p": "x" * 4000}] * (mb * 256))


def test_committed_pages_reach_the_database_file_without_waiting_for_sqlite(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.db"
    _write_mb(sqlite_url, 4)
    # 4 MB is far below the engine's automatic checkpoint (10,000 pages, ~40 MB): on its own
    # SQLite leaves all of it in the WAL.
    before = database.stat().st_size
    assert before < 1_000_000
    assert (tmp_path / "warehouse.db-wal").stat().st_size > 4_000_000

    with background_checkpoints(sqlite_url, every_s=0.05):
        assert THREAD in _threads()
        deadline = time.monotonic() + 10
        while database.stat().st_size < 4_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        copied = database.stat().st_size

    assert copied >= 4_000_000  # the pages are in the database file itself
    assert THREAD not in _threads()  # and the thread ended with the block
    with get_engine(sqlite_url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM blob_rows")).scalar_one() == 4 * 256


def test_a_warehouse_it_cannot_open_never_fails_the_block(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'warehouse.db'}"  # no such folder

    with background_checkpoints(url, every_s=0.01):
        time.sleep(0.1)

    assert THREAD not in _threads()


def test_other_databases_get_no_thread() -> None:
    with background_checkpoints("postgresql+psycopg://etl@127.0.0.1:9/ocop"):
        assert THREAD not in _threads()
    with background_checkpoints(None):
        assert THREAD not in _threads()
