"""Running the pipeline without Prefect (plain functions), for warehouse-level tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text

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


def facts_per_file(engine: Engine) -> dict[str, int]:
    """Loaded fact rows per submitted file name (to compare with the generator's rows)."""
    found = rows(
        engine,
        "SELECT lf.source_file, COUNT(*) AS n FROM fct_recognition f "
        "JOIN ledger_file lf ON lf.file_id = f.file_id GROUP BY lf.source_file",
    )
    return {str(r["source_file"]): int(r["n"]) for r in found}  # type: ignore[call-overload]


def flow_run_artifacts(flow_run_id: str) -> dict[str, object]:
    """The artifacts a flow run published, by key, read through the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a.data for a in found if a.key}


def numbers(engine: Engine, count: int) -> str:
    """A FROM clause of the integers n = 1 … count, for one-statement bulk test data."""
    if engine.dialect.name == "postgresql":
        return f"generate_series(1, {count}) AS s(n)"
    return (
        "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s"
        f" WHERE n < {count}) SELECT n FROM s)"
    )


@contextmanager
def statements_sent(
    engine: Engine, wanted: Callable[[str], bool] = lambda statement: True
) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) the engine sends meanwhile, those ``wanted`` only."""
    sent: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if wanted(statement):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def query_plan(conn: Connection, statement: str, parameters: Any) -> list[str]:
    """The database's plan for a statement as it was sent: PostgreSQL's EXPLAIN lines,
    SQLite's EXPLAIN QUERY PLAN details."""
    if conn.dialect.name == "postgresql":
        return list(conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
    return [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
