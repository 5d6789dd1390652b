"""Load one file's validated rows into the warehouse in ONE transaction.

Three steps, so the transaction holds only what must be in it (SQLite has one write lock,
held from the file's first INSERT to its commit: the other worker waits for all of it):
1. plan (no database): the file's producers, products, facts (converted for the driver),
   issues, rejected rows and unit reviews, everything but the ids the database hands out;
2. look ahead (reads only, outside the transaction): the block's producers as committed
   now, the file's new producers' near matches among them, the products that already exist;
3. the transaction, in this order:
   a. the ledger row (status 'loading'), so every fact can point at its file;
   b. supersede the current submission of the same reporting unit and period (the new file
      replaces it as a whole; the old rows stay queryable as history);
   c. producers and products: the block is brought up to date again (what another run
      committed since step 2, usually nothing, is matched now); missing identities are
      created (INSERT … ON CONFLICT DO NOTHING, so concurrent runs never duplicate one); new
      producers that nearly match an existing one go to the review queue, never merged;
   d. facts, issues, rejected rows; the ledger row becomes 'loaded'.
A crash or error anywhere rolls the transaction back: nothing of the file is left behind.
Steps 1 and 2 write nothing.

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
from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    insert,
    literal_column,
    select,
    union_all,
    update,
)

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
    wanted = set(keys)
    ids = {k: int(row_id) for row_id, *key in created if (k := tuple(key)) in wanted}
    return ids | _lookup_ids(conn, table, id_column, [k for k in keys if k not in ids])


# --- before the transaction: what the file holds, and what the warehouse already has --------


@dataclass
class _Plan:
    """Everything of the file's load that needs no database: built before its transaction,
    so SQLite's one write lock (held from the first INSERT to the commit) is held for the
    statements only. Ids the database hands out are filled in inside the transaction."""

    producers: dict[tuple[str, str], tuple[Any, ...]]  # (block, key) → name, type, form, loose
    product_keys: list[tuple[str, str, str]]  # each row's (block, producer key, product key)
    product_names: dict[tuple[str, str, str], Any]
    facts: bulk.Rows  # converted for the driver, without file and ids
    issues: dict[str, Sequence[Any]]  # without file_id
    rejected: dict[str, Sequence[Any]]  # without file_id
    units: dict[str, list[Any]]  # review_unit rows, without first_file_id
    warnings: int


@dataclass
class _Ahead:
    """What the warehouse held, as committed, just before the file's transaction.

    ``blocks``: each block as the cache held it and how many producers it had then, with the
    near matches of the producers new to it then. Inside the transaction only what was
    committed in between is matched again (usually nothing).
    """

    blocks: dict[str, tuple[Block, int, dict[str, list[tuple[int, float, str]]]]]
    product_ids: dict[tuple[str, ...], int]


def _plan(
    dialect: Any,
    rows: pd.DataFrame,
    rejected: pd.DataFrame,
    raw_rows: pd.DataFrame | None,
    issues: list[Issue],
    load_id: int,
) -> _Plan:
    # Identity is scoped by province block ('' when the province is unknown).
    blocks: list[str] = rows[c.PROVINCE_CODE].fillna("").astype(str).tolist()
    warnings: dict[tuple[str, int], int] = {}
    for i in issues:
        if i.severity == "warning" and i.source_sheet is not None and i.source_row is not None:
            warnings[(i.source_sheet, i.source_row)] = (
                warnings.get((i.source_sheet, i.source_row), 0) + 1
            )
    producer_keys = rows[c.PRODUCER_KEY].tolist()
    producers = {
        (blk, key): (name, ptype, form, loose)
        for blk, key, name, ptype, form, loose in zip(
            blocks,
            producer_keys,
            rows[c.PRODUCER_NAME].tolist(),
            rows[c.PRODUCER_TYPE].tolist(),
            rows[c.PRODUCER_LEGAL_FORM].tolist(),
            rows[c.PRODUCER_KEY_LOOSE].tolist(),
            strict=True,
        )
        if key != ""
    }
    product_keys = list(zip(blocks, producer_keys, rows[c.PRODUCT_KEY].tolist(), strict=True))
    issue_columns = bulk.records_to_columns(issue_rows(issues, file_id=0, load_id=load_id))
    rejected_columns = bulk.records_to_columns(_rejected_rows(rejected, raw_rows))
    return _Plan(
        producers=producers,
        product_keys=product_keys,
        product_names=dict(zip(product_keys, rows[c.PRODUCT_NAME].tolist(), strict=True)),
        facts=bulk.convert(
            dialect, t.fct_recognition, _fact_columns(rows, load_id=load_id, warnings=warnings)
        ),
        issues={k: v for k, v in issue_columns.items() if k != "file_id"},
        rejected={k: v for k, v in rejected_columns.items() if k != "file_id"},
        units=_unresolved_units(rows),
        warnings=sum(warnings.values()),
    )


def _look_ahead(conn: Connection, known: KnownProducers, plan: _Plan) -> _Ahead:
    """Read what is committed (no write lock: WAL / MVCC readers block no one) and do the
    file's matching against it: the transaction then only catches up on what changed."""
    blocks: dict[str, tuple[Block, int, dict[str, list[tuple[int, float, str]]]]] = {}
    if plan.producers:
        # On SQLite ids are handed out and committed under one write lock, in order: "above
        # the last id seen" misses nothing, and the count-and-sum check (a read of every row
        # of the blocks, 0.22 ms a file at 700 files and growing) is left to the transaction's
        # own refresh, which still catches a database re-created under the same URL (the
        # block is then a new object, matched again in full: ``_queue_near_matches``). On
        # PostgreSQL a late commit is common with two workers: caught here, the block is
        # re-read before the transaction rather than inside it.
        existing = known.refresh(
            conn,
            sorted({b for b, _ in plan.producers}),
            verify=conn.dialect.name != "sqlite",
        )
        for block_key, block in existing.items():
            # Counted before matching: a producer another task thread adds to the cached
            # block meanwhile is then matched again in the transaction, never skipped.
            seen = len(block.producer_ids)
            new = [k for b, k in plan.producers if b == block_key and k not in block.id_of_key]
            blocks[block_key] = (block, seen, _match(known, block, new, plan, block_key))
    # A product row is created together with its producer, so a producer new to the block
    # has no products yet: only the others' (and those without a producer) are looked up.
    # A guess wrong either way costs only time: the transaction inserts what is missing
    # with ON CONFLICT DO NOTHING and looks up what it could not insert.
    unique = sorted(
        k
        for k in set(plan.product_keys)
        if k[1] == "" or (k[0] in blocks and k[1] in blocks[k[0]][0].id_of_key)
    )
    return _Ahead(blocks, _lookup_ids(conn, t.dim_product, "product_id", unique))


def _match(
    known: KnownProducers,
    block: Block,
    new: list[str],
    plan: _Plan,
    block_key: str,
    since: int = 0,
) -> dict[str, list[tuple[int, float, str]]]:
    """{new key: [(candidate producer id, score, method)]} among the block's producers."""
    out: dict[str, list[tuple[int, float, str]]] = {k: [] for k in new}
    parsed = [parse_producer(plan.producers[(block_key, k)][0]) for k in new]
    for match in known.near_matches(block, parsed, since=since):
        out[new[match.new_index]].append(
            (match.candidate_producer_id, match.score, match.method)
        )
    return out


# --- inside the transaction ----------------------------------------------------------------


def _producer_ids(
    conn: Connection, known: KnownProducers, plan: _Plan, ahead: _Ahead, file_id: int
) -> dict[tuple[str, str], int]:
    wanted = plan.producers
    if not wanted:
        return {}
    # Before this file inserts anything: the cache must only ever see committed producers.
    # Under the write lock (SQLite) this is the state the file's inserts build on.
    existing = known.refresh(conn, sorted({b for b, _ in wanted}))
    new = [k for k in wanted if k[1] not in existing[k[0]].id_of_key]
    ids = {k: existing[k[0]].id_of_key[k[1]] for k in wanted if k[1] in existing[k[0]].id_of_key}
    inserted = sorted(new)  # one lock order across runs
    ids |= _get_or_create(  # type: ignore[arg-type]
        conn,
        t.dim_producer,
        "producer_id",
        inserted,
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
    _queue_near_matches(conn, known, existing, new, plan, ahead, ids)
    return ids


def _queue_near_matches(
    conn: Connection,
    known: KnownProducers,
    existing: Mapping[str, Block],
    new: list[tuple[str, str]],
    plan: _Plan,
    ahead: _Ahead,
    ids: dict[tuple[str, str], int],
) -> None:
    """Near matches of brand-new producers go to review; identities are never merged here."""
    review: dict[tuple[int, int], tuple[float, str]] = {}
    for block_key in sorted({b for b, _ in new}):
        news = [k for b, k in new if b == block_key]
        block = existing[block_key]
        seen_block, seen, matched = ahead.blocks[block_key]
        if seen_block is block and len(block.producer_ids) >= seen:
            # The block only grew since the look-ahead: match against the newcomers only,
            # if any (usually none: nothing to parse or score under the write lock).
            # (Every key new now was new then: producers are never deleted.)
            grew = len(block.producer_ids) > seen
            later = _match(known, block, news, plan, block_key, since=seen) if grew else {}
            found = {k: matched[k] + later.get(k, []) for k in news}
        else:  # the cache re-read the block (evicted, or the database changed under it)
            found = _match(known, block, news, plan, block_key)
        for key, matches in found.items():
            new_id = ids.get((block_key, key))
            if new_id is not None:
                for candidate_id, score, method in matches:
                    review[(new_id, candidate_id)] = (score, method)
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


def _unresolved_units(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Units we could not resolve go to a review queue once per distinct spelling.

    The row still loads (with a unit.unresolved warning); a reviewer adds the alias.
    """
    if frame.empty:
        return {}
    unresolved = ~frame[c.UNIT_STATUS].isin(["resolved", "empty"]).to_numpy()
    if not unresolved.any():
        return {}  # the common case: no need to copy the frame
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
            },
        )
    return bulk.records_to_columns(list(queued.values()))


def _product_ids(
    conn: Connection,
    plan: _Plan,
    ahead: _Ahead,
    producer_ids: dict[tuple[str, str], int],
    file_id: int,
) -> list[int]:
    names = plan.product_names
    # Products are never deleted: one seen before the transaction keeps its id.
    missing = sorted(k for k in names if k not in ahead.product_ids)  # one lock order
    ids = ahead.product_ids | _get_or_create(
        conn,
        t.dim_product,
        "product_id",
        missing,
        {
            "block_key": [b for b, _, _ in missing],
            "producer_key": [pk for _, pk, _ in missing],
            "product_key": [k for _, _, k in missing],
            "display_name": [names[k] for k in missing],
            "producer_id": [producer_ids.get((b, pk)) for b, pk, _ in missing],
            "first_file_id": [file_id] * len(missing),
        },
    )
    return [ids[k] for k in plan.product_keys]


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
    rows: pd.DataFrame, *, load_id: int, warnings: dict[tuple[str, int], int]
) -> dict[str, list[Any]]:
    """The file's facts column by column, each converted once (not cell by cell); the file
    and identity ids are added inside the transaction."""
    n = len(rows)
    cols = {name: bulk.column_values(rows[name]) for name in _FACT_COLUMNS}
    cols[c.IS_POTENTIAL_5_STAR] = [bool(v) for v in cols[c.IS_POTENTIAL_5_STAR]]
    return cols | {
        "load_id": [load_id] * n,
        "producer_name": bulk.column_values(rows[c.PRODUCER_NAME]),
        "warnings": (
            [warnings.get(k, 0) for k in zip(cols[c.SOURCE_SHEET], cols[c.SOURCE_ROW], strict=True)]
            if warnings
            else [0] * n
        ),
    }


def _rejected_rows(rejected: pd.DataFrame, raw: pd.DataFrame | None) -> list[dict[str, Any]]:
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


def _current_load(column: Any, name: str) -> Select[Any]:
    # 'loaded' as a literal: SQLite re-plans a statement for every new value bound where a
    # partial index's WHERE (status = 'loaded') could depend on it.
    loaded = _LF.status == literal_column("'loaded'")
    return select(_LF.file_id).where(column == bindparam(name), loaded)


# The current loads to supersede, each found by its own unique index (the bytes', the
# submission's). Written as one OR, SQLite scanned every current load instead, under the
# write lock: ~0.4 ms a file at 700 files and growing with the ledger; 0.045 ms this way.
_SUPERSEDE = {
    by_submission: update(t.ledger_file)
    .where(
        _LF.file_id.in_(
            union_all(
                _current_load(_LF.byte_sha256, "b_bytes"),
                _current_load(_LF.submission_key, "b_key"),
            )
            if by_submission
            else _current_load(_LF.byte_sha256, "b_bytes")
        ),
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
    conn: Connection,
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
    """Load one file atomically, on ``conn``. Whatever transaction ``conn`` has open is
    rolled back first, so pass a connection that has only read (the caller's ledger check):
    the file's own transaction is begun here. Raises sqlalchemy.exc.IntegrityError when a
    concurrent run loaded the same bytes first (the caller records a duplicate); the file's
    transaction is then rolled back and ``conn`` can be used again.

    The look-ahead's reads and the file's transaction share the caller's connection: a
    connection per step was a pool checkout each, and on PostgreSQL a ping and a rollback
    each, three round trips a file more (see ``pipeline._finish``).
    """
    plan = _plan(conn.dialect, valid, rejected, raw_rows, issues, load_id)
    known = known_producers(conn.engine)
    ahead = _look_ahead(conn, known, plan)
    # The reads end here (they hold no lock); the file's own transaction begins afresh.
    conn.rollback()

    with conn.begin():
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
            "warnings": plan.warnings,
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

        producer_ids = _producer_ids(conn, known, plan, ahead, file_id)
        if plan.units:
            _insert_ignore(
                conn,
                t.review_unit,
                plan.units | {"first_file_id": [file_id] * len(plan.units["unit_key"])},
                ["unit_key"],
            )
        n = len(valid)
        if n:
            product_ids = _product_ids(conn, plan, ahead, producer_ids, file_id)
            producer_keys = ((b, pk) for b, pk, _ in plan.product_keys)  # each row's, as planned
            # PostgreSQL: COPY on the same connection, hence in this transaction.
            bulk.insert_rows(
                conn,
                t.fct_recognition,
                {
                    "file_id": [file_id] * n,
                    "product_id": product_ids,
                    "producer_id": [producer_ids.get(k) for k in producer_keys],
                },
                converted=plan.facts,
            )
        for table, columns in ((t.dq_issue, plan.issues), (t.dq_rejected_row, plan.rejected)):
            if columns:
                first = next(iter(columns.values()))
                bulk.insert_rows(conn, table, {"file_id": [file_id] * len(first)} | columns)
        conn.execute(_MARK_LOADED, {"b_file": file_id})
    return LoadResult(file_id=file_id, rows_loaded=n, superseded_file_ids=superseded)
