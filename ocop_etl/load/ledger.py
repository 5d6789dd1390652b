"""The file ledger: what happened to every file, and the run it happened in.

The ledger is the source of truth for idempotency (not Prefect's cache): a file's bytes that
were already loaded, superseded or rejected are skipped; failed files are retried next run.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ocop_etl.issues import Issue
from ocop_etl.load import tables as t


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class FileFacts:
    """What we know of a file before reading it."""

    path: Path
    source_file: str  # the name as submitted, shown to analysts and districts
    byte_sha256: str
    size_bytes: int
    received_at: datetime


@dataclass
class FileOutcome:
    """One file's result in a run; small and picklable (this is what Prefect tasks return)."""

    source_file: str
    source_path: str
    status: str  # loaded | rejected | failed | skipped_duplicate
    file_id: int | None = None
    rows_total: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    reason_code: str | None = None
    reason_en: str | None = None
    reporting_unit: str | None = None
    period: str | None = None
    feedback_path: str | None = None
    superseded_file_ids: list[int] = field(default_factory=list)


def start_load(engine: Engine, *, source: str, flow_run_id: str | None) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(t.ledger_load)
                .values(
                    source=source, flow_run_id=flow_run_id, started_at=utcnow(), status="running"
                )
                .returning(t.ledger_load.c.load_id)
            ).scalar_one()
        )


def finish_load(engine: Engine, load_id: int, outcomes: list[FileOutcome], *, status: str) -> None:
    def count(s: str) -> int:
        return sum(1 for o in outcomes if o.status == s)

    with engine.begin() as conn:
        conn.execute(
            update(t.ledger_load)
            .where(t.ledger_load.c.load_id == load_id)
            .values(
                finished_at=utcnow(),
                status=status,
                files_seen=len(outcomes),
                files_loaded=count("loaded"),
                files_rejected=count("rejected"),
                files_skipped=count("skipped_duplicate"),
                files_failed=count("failed"),
                rows_loaded=sum(o.rows_loaded for o in outcomes),
                rows_rejected=sum(o.rows_rejected for o in outcomes),
            )
        )


def handled_file(
    conn: Connection, *, byte_sha256: str | None = None, content_sha256: str | None = None
) -> int | None:
    """The file_id of an earlier loaded/superseded/rejected file with these bytes or content."""
    by_bytes = bool(byte_sha256)
    row = conn.execute(
        _HANDLED[by_bytes], {"b_hash": byte_sha256 if by_bytes else content_sha256}
    ).first()
    return None if row is None else int(row[0])


# Built once: every file asks (by content, after reading it), and building the statement
# cost more than the database's answer.
_HANDLED = {
    by_bytes: select(t.ledger_file.c.file_id)
    .where(
        (t.ledger_file.c.byte_sha256 if by_bytes else t.ledger_file.c.content_sha256)
        == bindparam("b_hash"),
        t.ledger_file.c.status.in_(t.HANDLED_STATUSES),
    )
    .order_by(t.ledger_file.c.file_id)
    .limit(1)
    for by_bytes in (False, True)
}


def handled_hashes(engine: Engine, among: Collection[str] | None = None) -> set[str]:
    """Byte hashes the warehouse has already handled: a no-change nightly run skips them all.

    ``among``: only these hashes are asked about (a batch of files: one query, not one each).
    """
    f = t.ledger_file.c
    query = select(f.byte_sha256).where(f.status.in_(t.HANDLED_STATUSES))
    if among is not None:
        if not among:
            return set()
        query = query.where(f.byte_sha256.in_(sorted(among)))
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def _file_values(facts: FileFacts, load_id: int, flow_run_id: str | None) -> dict[str, object]:
    now = utcnow()
    return {
        "load_id": load_id,
        "flow_run_id": flow_run_id,
        "source_path": str(facts.path),
        "source_file": facts.source_file,
        "byte_sha256": facts.byte_sha256,
        "size_bytes": facts.size_bytes,
        "received_at": facts.received_at,
        "processed_at": now,
    }


def issue_rows(issues: list[Issue], *, file_id: int, load_id: int) -> list[dict[str, object]]:
    now = utcnow()
    return [
        {
            "file_id": file_id,
            "load_id": load_id,
            "code": i.code,
            "severity": i.severity,
            "source_sheet": i.source_sheet,
            "source_row": i.source_row,
            "column_name": i.column,
            "value": i.value,
            "message_vi": i.message_vi,
            "message_en": i.message_en,
            "created_at": now,
        }
        for i in issues
    ]


def record_file(
    engine: Engine,
    facts: FileFacts,
    *,
    load_id: int,
    flow_run_id: str | None,
    status: str,
    issues: Sequence[Issue] = (),
    archive_path: str | None = None,
    reason_code: str | None = None,
    reason_en: str | None = None,
    reason_vi: str | None = None,
    feedback_path: str | None = None,
    extra: dict[str, object] | None = None,
) -> int:
    """Record a file that was not loaded (rejected, failed or skipped) in its own transaction."""
    values = (
        _file_values(facts, load_id, flow_run_id)
        | {
            "status": status,
            "archive_path": archive_path,
            "reason_code": reason_code,
            "reason_en": reason_en,
            "reason_vi": reason_vi,
            "feedback_path": feedback_path,
        }
        | (extra or {})
    )
    with engine.begin() as conn:
        file_id = int(
            conn.execute(
                insert(t.ledger_file).values(**values).returning(t.ledger_file.c.file_id)
            ).scalar_one()
        )
        if issues:
            conn.execute(
                insert(t.dq_issue), issue_rows(list(issues), file_id=file_id, load_id=load_id)
            )
    return file_id
