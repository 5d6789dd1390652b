"""Running the pipeline without Prefect (plain functions), for warehouse-level tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from ocop_etl.load import ledger
from ocop_etl.load.engine import get_engine
from ocop_etl.load.ledger import FileOutcome
from ocop_etl.load.migrate import upgrade
from ocop_etl.pipeline import RunOptions, process_file


def warehouse(url: str) -> Engine:
    engine = get_engine(url)
    upgrade(engine)
    return engine


def run_files(url: str, paths: list[Path], work: Path, *, force: bool = False) -> list[FileOutcome]:
    engine = warehouse(url)
    load_id = ledger.start_load(engine, source="test", flow_run_id=None)
    options = RunOptions(
        engine=engine,
        archive_dir=work / "archive",
        feedback_dir=work / "feedback",
        load_id=load_id,
        force=force,
    )
    outcomes = [process_file(p, options) for p in paths]
    ledger.finish_load(engine, load_id, outcomes, status="completed")
    return outcomes


def rows(engine: Engine, sql: str, **params: object) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
