"""Load one file's validated rows into the warehouse in ONE transaction.

Inside the transaction, in this order:
1. the ledger row (status 'loading'), so every fact can point at its file;
2. supersede the current submission of the same reporting unit and period (the new file
   replaces it as a whole; the old rows stay queryable as history);
3. producers and products: found by exact key inside the province block, created otherwise
   (INSERT … ON CONFLICT DO NOTHING, so concurrent runs never duplicate an identity); new
   producers that nearly match an existing one go to the review queue, never merged;
4. facts, issues, rejected rows; the ledger row becomes 'loaded'.
A crash or error anywhere rolls all of it back: nothing of the file is left behind.

Per file, the work is proportional to the file, not to the warehouse: only the file's own
keys are looked up, a block's existing producers come parsed from a per-process cache
(``known_producers``), and rows travel column-wise to the driver (``bulk``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, bindparam, insert, or_, update

from ocop_etl.issues import Issue
from ocop_etl.load import bulk
from ocop_etl.load import tables as t
from ocop_etl.load.known_producers import Block, KnownProducers, known_producers
from ocop_etl.load.ledger import FileFacts, _file_values, issue_rows, utcnow
from ocop_etl.schemas import columns as c
from ocop_etl.transforms.producers import parse_producer
from ocop_etl.transforms.text import match_key


@dataclass(frozen=True)
class Submission:
    """Who reported, for which period: a newer file with the same key supersedes the older."""

    province: str | None
    district: str | None
    province_code: str | None
    district_code: str | None
    year: int | None
    round: int | None
    template_version: str | None = None

    @property
    def key(self) -> str | None:
        if not self.province_code or not self.year:
            return None  # unknown unit or period: never supersede on a guess
        return f"{self.province_code}|{self.district_code or '-'}|{self.year}|{self.round or '-'}"


@dataclass(frozen=True)
class LoadResult:
    file_id: int
    rows_loaded: int
    superseded_file_ids: tuple[int, ...]


def _insert_ignore(
    conn: Connection, table: Table, rows: Mapping[str, Sequence[Any]], keys: Sequence[str]
) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING: a concurrent run may create the same identity.

    Callers pass the rows sorted by ``keys``: concurrent runs then take the unique-index
    locks in one order, so they cannot deadlock on them.
    """
    bulk.insert_rows(conn, table, rows, on_conflict_do_nothing=keys)


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars → Python (psycopg cannot adapt numpy types)
        return value.item()
    return value


def _lookup_ids(
    conn: Connection, table: Table, id_column: str, keys: Sequence[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    """``{key: id}`` for exactly these unique keys of ``table`` (only the file's own keys)."""
    return bulk.lookup_ids(conn, table, id_column, _KEY_COLUMNS[table.name], keys)


_KEY_COLUMNS = {
    t.dim_producer.name: ("block_key", "key_exact"),
    t.dim_product.name: ("block_key", "producer_key", "product_key"),
}


def _get_or_create(
    conn: Connection,
    table: Table,
    id_column: str,
    keys: Sequence[tuple[str, ...]],
    new_rows: Mapping[str, Sequence[Any]],
) -> dict[tuple[str, ...], int]:
    """The id of every unique key in ``keys``, after inserting ``new_rows`` where missing.

    ``new_rows`` (column-wise) must be sorted by key: concurrent runs then take the
    unique-index locks in one order, so they cannot deadlock on them; a row a concurrent run
    created first is skipped (ON CONFLICT DO NOTHING) and its id looked up like the others.
    """
    key_columns = _KEY_COLUMNS[table.name]
    created = bulk.insert_new(
        conn,
        table,
        new_rows,
        on_conflict_do_nothing=key_columns,
        returning=(id_column, *key_columns),
    )
    ids = {tuple(key): int(row_id) for row_id, *key in created}
    return ids | _lookup_ids(conn, table, id_column, [k for k in keys if k not in ids])


def _producer_ids(
    conn: Connection, known: KnownProducers, rows: pd.DataFrame, blocks: list[str], file_id: int
) -> dict[tuple[str, str], int]:
    wanted = {
        (blk, key): (name, ptype, form, loose)
        for blk, key, name, ptype, form, loose in zip(
            blocks,
            rows[c.PRODUCER_KEY].tolist(),
            rows[c.PRODUCER_NAME].tolist(),
            rows[c.PRODUCER_TYPE].tolist(),
            rows[c.PRODUCER_LEGAL_FORM].tolist(),
            rows[c.PRODUCER_KEY_LOOSE].tolist(),
            strict=True,
        )
        if key != ""
    }
    if not wanted:
        return {}
    # Before this file inserts anything: the cache must only ever see committed producers.
    existing = known.refresh(conn, sorted({b for b, _ in wanted}))
    new = [k for k in wanted if k[1] not in existing[k[0]].id_of_key]
    inserted = sorted(new)  # one lock order across runs
    ids: dict[tuple[str, str], int] = _get_or_create(  # type: ignore[assignment]
        conn,
        t.dim_producer,
        "producer_id",
        list(wanted),
        {
            "block_key": [b for b, _ in inserted],
            "key_exact": [k for _, k in inserted],
            "display_name": [wanted[k][0] or k[1] for k in inserted],
            "producer_type": [wanted[k][1] or "unknown" for k in inserted],
            "legal_form": [wanted[k][2] for k in inserted],
            "key_loose": [wanted[k][3] or k[1] for k in inserted],
            "first_file_id": [file_id] * len(inserted),
        },
    )
    _queue_near_matches(conn, known, existing, new, wanted, ids)
    return ids


def _queue_near_matches(
    conn: Connection,
    known: KnownProducers,
    existing: Mapping[str, Block],
    new: list[tuple[str, str]],
    wanted: dict[tuple[str, str], tuple[Any, ...]],
    ids: dict[tuple[str, str], int],
) -> None:
    """Near matches of brand-new producers go to review; identities are never merged here."""
    review: dict[tuple[int, int], tuple[float, str]] = {}
    for block_key in sorted({b for b, _ in new}):
        news = [k for k in new if k[0] == block_key]
        matches = known.near_matches(
            existing[block_key], [parse_producer(wanted[k][0]) for k in news]
        )
        for match in matches:
            new_id = ids.get(news[match.new_index])
            if new_id is not None:
                review[(new_id, match.candidate_producer_id)] = (match.score, match.method)
    pairs = sorted(review)  # one lock order across runs, as for the identities
    _insert_ignore(
        conn,
        t.review_producer_match,
        {
            "producer_id": [p for p, _ in pairs],
            "candidate_producer_id": [cand for _, cand in pairs],
            "score": [float(review[pair][0]) for pair in pairs],
            "method": [review[pair][1] for pair in pairs],
        },
        ["producer_id", "candidate_producer_id"],
    )


def _queue_unresolved_units(conn: Connection, frame: pd.DataFrame, file_id: int) -> None:
    """Units we could not resolve go to a review queue once per distinct spelling.

    The row still loads (with a unit.unresolved warning); a reviewer adds the alias.
    """
    if frame.empty:
        return
    unresolved = ~frame[c.UNIT_STATUS].isin(["resolved", "empty"]).to_numpy()
    if not unresolved.any():
        return  # the common case: no need to copy the frame
    todo = frame[unresolved]
    queued: dict[str, dict[str, Any]] = {}
    for prov, dist, comm, level, cands in zip(
        todo[c.PROVINCE_RAW],
        todo[c.DISTRICT_RAW],
        todo[c.COMMUNE_RAW],
        todo[c.UNIT_UNRESOLVED_LEVEL],
        todo[c.UNIT_CANDIDATES],
        strict=True,
    ):
        key = "|".join(match_key(v) for v in (prov, dist, comm))
        queued.setdefault(
            key,
            {
                "unit_key": key,
                "province_raw": _none(prov),
                "district_raw": _none(dist),
                "commune_raw": _none(comm),
                "unresolved_level": _none(level),
                "candidates": _none(cands),
                "first_file_id": file_id,
            },
        )
    _insert_ignore(
        conn, t.review_unit, bulk.records_to_columns(list(queued.values())), ["unit_key"]
    )


def _product_ids(
    conn: Connection,
    rows: pd.DataFrame,
    blocks: list[str],
    producer_ids: dict[tuple[str, str], int],
    file_id: int,
) -> list[int]:
    keys = list(
        zip(blocks, rows[c.PRODUCER_KEY].tolist(), rows[c.PRODUCT_KEY].tolist(), strict=True)
    )
    names = dict(zip(keys, rows[c.PRODUCT_NAME].tolist(), strict=True))
    unique = sorted(names)  # one lock order across runs
    ids = _get_or_create(
        conn,
        t.dim_product,
        "product_id",
        unique,
        {
            "block_key": [b for b, _, _ in unique],
            "producer_key": [pk for _, pk, _ in unique],
            "product_key": [k for _, _, k in unique],
            "display_name": [names[k] for k in unique],
            "producer_id": [producer_ids.get((b, pk)) for b, pk, _ in unique],
            "first_file_id": [file_id] * len(unique),
        },
    )
    return [ids[k] for k in keys]


_FACT_COLUMNS = (
    c.SOURCE_SHEET,
    c.SOURCE_ROW,
    c.PRODUCT_NAME,
    c.PRODUCER_TYPE,
    c.STARS,
    c.SCORE,
    c.IS_POTENTIAL_5_STAR,
    c.CRITERIA_VERSION,
    c.EVALUATION_YEAR,
    c.DECISION_NO,
    c.DECISION_DATE,
    c.ISSUING_LEVEL,
    c.VALID_UNTIL,
    c.UNIT_SCHEME,
    c.PROVINCE_CODE,
    c.DISTRICT_CODE,
    c.COMMUNE_CODE,
    c.CURRENT_PROVINCE_CODE,
    c.PRODUCT_GROUP_TAXONOMY,
    c.PRODUCT_GROUP_CODE,
    c.PROVINCE_RAW,
    c.DISTRICT_RAW,
    c.COMMUNE_RAW,
    c.STARS_RAW,
    c.SCORE_RAW,
    c.DECISION_RAW,
    c.PRODUCT_GROUP_RAW,
)


def _fact_columns(
    rows: pd.DataFrame,
    blocks: list[str],
    *,
    file_id: int,
    load_id: int,
    product_ids: list[int],
    producer_ids: dict[tuple[str, str], int],
    warnings: dict[tuple[str, int], int],
) -> dict[str, list[Any]]:
    """The file's facts column by column: each column converted once, not cell by cell."""
    n = len(rows)
    cols = {name: bulk.column_values(rows[name]) for name in _FACT_COLUMNS}
    cols[c.IS_POTENTIAL_5_STAR] = [bool(v) for v in cols[c.IS_POTENTIAL_5_STAR]]
    producer_keys = zip(blocks, rows[c.PRODUCER_KEY].tolist(), strict=True)
    return cols | {
        "file_id": [file_id] * n,
        "load_id": [load_id] * n,
        "product_id": product_ids,
        "producer_id": [producer_ids.get(k) for k in producer_keys],
        "producer_name": bulk.column_values(rows[c.PRODUCER_NAME]),
        "warnings": (
            [warnings.get(k, 0) for k in zip(cols[c.SOURCE_SHEET], cols[c.SOURCE_ROW], strict=True)]
            if warnings
            else [0] * n
        ),
    }


def _rejected_rows(
    rejected: pd.DataFrame, raw: pd.DataFrame | None, file_id: int
) -> list[dict[str, Any]]:
    """The rejected rows exactly as the district wrote them (from the extracted frame)."""
    if rejected.empty:
        return []
    source = raw if raw is not None else rejected
    wanted = set(zip(rejected[c.SOURCE_SHEET], rejected[c.SOURCE_ROW], strict=True))
    # Only the rejected rows are turned into records, not the whole extracted frame.
    picked = [k in wanted for k in zip(source[c.SOURCE_SHEET], source[c.SOURCE_ROW], strict=True)]
    out = []
    for rec in source[picked].to_dict("records"):
        key = (rec[c.SOURCE_SHEET], rec[c.SOURCE_ROW])
        payload = {
            k: _none(v) for k, v in rec.items() if k not in c.LINEAGE and _none(v) is not None
        }
        out.append(
            {
                "file_id": file_id,
                "source_sheet": key[0],
                "source_row": int(key[1]),
                "raw_json": json.dumps(payload, ensure_ascii=False, default=str),
            }
        )
    return out


# The file's ledger statements, built once (their SQL is compiled once, too); the values are
# bound per file. Bound names differ from column names, as SQLAlchemy requires in UPDATE … SET.
_LF = t.ledger_file.c
_INSERT_FILE = insert(t.ledger_file).returning(_LF.file_id)
_SUPERSEDE = {
    by_submission: update(t.ledger_file)
    .where(
        or_(_LF.byte_sha256 == bindparam("b_bytes"), _LF.submission_key == bindparam("b_key"))
        if by_submission
        else _LF.byte_sha256 == bindparam("b_bytes"),
        _LF.status == "loaded",
        _LF.file_id != bindparam("b_file"),
    )
    .values(
        status="superseded",
        superseded_by_file_id=bindparam("b_file"),
        superseded_at=bindparam("b_at"),
    )
    .returning(_LF.file_id)
    for by_submission in (False, True)
}
_MARK_LOADED = (
    update(t.ledger_file).where(_LF.file_id == bindparam("b_file")).values(status="loaded")
)


def load_file(
    engine: Engine,
    facts: FileFacts,
    *,
    load_id: int,
    flow_run_id: str | None,
    submission: Submission,
    valid: pd.DataFrame,
    rejected: pd.DataFrame,
    issues: list[Issue],
    content_sha256: str,
    archive_path: str | None,
    raw_rows: pd.DataFrame | None = None,
    feedback_path: str | None = None,
) -> LoadResult:
    """Load one file atomically. Raises sqlalchemy.exc.IntegrityError when a concurrent run
    loaded the same bytes first (the caller records a duplicate)."""
    rows = valid
    # Identity is scoped by province block ('' when the province is unknown).
    blocks: list[str] = rows[c.PROVINCE_CODE].fillna("").astype(str).tolist()
    warnings: dict[tuple[str, int], int] = {}
    for i in issues:
        if i.severity == "warning" and i.source_sheet is not None and i.source_row is not None:
            warnings[(i.source_sheet, i.source_row)] = (
                warnings.get((i.source_sheet, i.source_row), 0) + 1
            )

    with engine.begin() as conn:
        file_values = _file_values(facts, load_id, flow_run_id) | {
            "status": "loading",
            "content_sha256": content_sha256,
            "archive_path": archive_path,
            "reporting_province": submission.province,
            "reporting_district": submission.district,
            "reporting_province_code": submission.province_code,
            "reporting_district_code": submission.district_code,
            "period_year": submission.year,
            "period_round": submission.round,
            "submission_key": submission.key,
            "template_version": submission.template_version,
            "rows_total": len(valid) + len(rejected),
            "rows_loaded": len(valid),
            "rows_rejected": len(rejected),
            "warnings": sum(warnings.values()),
            "feedback_path": feedback_path,
        }
        file_id = int(conn.execute(_INSERT_FILE, file_values).scalar_one())

        # The new file replaces, as a whole, the current submission of its unit and period
        # and any current load of these very bytes (an operator's forced reload).
        superseded = tuple(
            int(x)
            for x in conn.execute(
                _SUPERSEDE[submission.key is not None],
                {
                    "b_bytes": facts.byte_sha256,
                    "b_key": submission.key,
                    "b_file": file_id,
                    "b_at": utcnow(),
                },
            ).scalars()
        )

        producer_ids = _producer_ids(conn, known_producers(engine), rows, blocks, file_id)
        _queue_unresolved_units(conn, rows, file_id)
        product_ids = _product_ids(conn, rows, blocks, producer_ids, file_id) if len(rows) else []
        if len(rows):
            fact_columns = _fact_columns(
                rows,
                blocks,
                file_id=file_id,
                load_id=load_id,
                product_ids=product_ids,
                producer_ids=producer_ids,
                warnings=warnings,
            )
            # PostgreSQL: COPY on the same connection, hence in this transaction.
            bulk.insert_rows(conn, t.fct_recognition, fact_columns)
        if issues:
            issue_columns = bulk.records_to_columns(
                issue_rows(issues, file_id=file_id, load_id=load_id)
            )
            bulk.insert_rows(conn, t.dq_issue, issue_columns)
        rejected_rows = _rejected_rows(rejected, raw_rows, file_id)
        bulk.insert_rows(conn, t.dq_rejected_row, bulk.records_to_columns(rejected_rows))
        conn.execute(_MARK_LOADED, {"b_file": file_id})
    return LoadResult(file_id=file_id, rows_loaded=len(rows), superseded_file_ids=superseded)
