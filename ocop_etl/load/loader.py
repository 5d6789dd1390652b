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
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ocop_etl.issues import Issue
from ocop_etl.load import tables as t
from ocop_etl.load.ledger import FileFacts, _file_values, issue_rows, utcnow
from ocop_etl.schemas import columns as c
from ocop_etl.transforms.producers import find_candidates, parse_producer
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
    conn: Connection, table: Table, rows: list[dict[str, Any]], keys: Sequence[str]
) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys)), rows)


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars → Python (psycopg cannot adapt numpy types)
        return value.item()
    return value


def _producer_ids(conn: Connection, rows: pd.DataFrame, file_id: int) -> dict[tuple[str, str], int]:
    named = rows[rows[c.PRODUCER_KEY] != ""]
    wanted = {
        (blk, key): (name, ptype, form, loose)
        for blk, key, name, ptype, form, loose in zip(
            named["_block"],
            named[c.PRODUCER_KEY],
            named[c.PRODUCER_NAME],
            named[c.PRODUCER_TYPE],
            named[c.PRODUCER_LEGAL_FORM],
            named[c.PRODUCER_KEY_LOOSE],
            strict=True,
        )
    }
    if not wanted:
        return {}
    blocks = sorted({b for b, _ in wanted})
    p = t.dim_producer.c
    existing = conn.execute(
        select(
            p.producer_id, p.block_key, p.key_exact, p.key_loose, p.display_name, p.legal_form
        ).where(p.block_key.in_(blocks))
    ).all()
    known = {(r.block_key, r.key_exact) for r in existing}
    new = [k for k in wanted if k not in known]
    _insert_ignore(
        conn,
        t.dim_producer,
        [
            {
                "block_key": b,
                "key_exact": k,
                "display_name": wanted[(b, k)][0] or k,
                "producer_type": wanted[(b, k)][1] or "unknown",
                "legal_form": wanted[(b, k)][2],
                "key_loose": wanted[(b, k)][3] or k,
                "first_file_id": file_id,
            }
            # Sorted: concurrent runs take the unique-index locks in one order (no deadlock).
            for b, k in sorted(new)
        ],
        ["block_key", "key_exact"],
    )
    ids = {
        (r.block_key, r.key_exact): int(r.producer_id)
        for r in conn.execute(
            # Only this file's keys: a province block holds thousands of producers.
            select(p.producer_id, p.block_key, p.key_exact).where(
                p.block_key.in_(blocks), p.key_exact.in_(sorted({k for _, k in wanted}))
            )
        )
        if (r.block_key, r.key_exact) in wanted
    }
    _queue_near_matches(conn, new, existing, wanted, ids)
    return ids


def _queue_near_matches(
    conn: Connection,
    new: list[tuple[str, str]],
    existing: Sequence[Any],
    wanted: dict[tuple[str, str], tuple[Any, ...]],
    ids: dict[tuple[str, str], int],
) -> None:
    """Near matches of brand-new producers go to review; identities are never merged here."""
    if not new or not existing:
        return
    by_block: dict[str, list[Any]] = {}
    for r in existing:
        by_block.setdefault(r.block_key, []).append(r)
    review = []
    for block in {b for b, _ in new}:
        olds = by_block.get(block, [])
        news = [k for k in new if k[0] == block]
        if not olds or not news:
            continue
        # Re-parsing the display names gives the matcher every part (core, legal form, brand).
        cands = find_candidates(
            [parse_producer(wanted[k][0]) for k in news],
            [parse_producer(r.display_name) for r in olds],
        )
        for cand in cands:
            if cand.method.startswith("veto"):
                continue
            new_id = ids.get(news[cand.new_index])
            if new_id is not None:
                review.append(
                    {
                        "producer_id": new_id,
                        "candidate_producer_id": int(olds[cand.existing_index].producer_id),
                        "score": float(cand.score),
                        "method": cand.method,
                    }
                )
    _insert_ignore(conn, t.review_producer_match, review, ["producer_id", "candidate_producer_id"])


def _queue_unresolved_units(conn: Connection, frame: pd.DataFrame, file_id: int) -> None:
    """Units we could not resolve go to a review queue once per distinct spelling.

    The row still loads (with a unit.unresolved warning); a reviewer adds the alias.
    """
    if frame.empty:
        return
    todo = frame[~frame[c.UNIT_STATUS].isin(["resolved", "empty"])]
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
    _insert_ignore(conn, t.review_unit, list(queued.values()), ["unit_key"])


def _product_ids(
    conn: Connection, rows: pd.DataFrame, producer_ids: dict[tuple[str, str], int], file_id: int
) -> list[int]:
    keys = list(zip(rows["_block"], rows[c.PRODUCER_KEY], rows[c.PRODUCT_KEY], strict=True))
    names = dict(zip(keys, rows[c.PRODUCT_NAME], strict=True))
    blocks = sorted({k[0] for k in keys})
    _insert_ignore(
        conn,
        t.dim_product,
        [
            {
                "block_key": b,
                "producer_key": pk,
                "product_key": k,
                "display_name": names[(b, pk, k)],
                "producer_id": producer_ids.get((b, pk)),
                "first_file_id": file_id,
            }
            for b, pk, k in sorted(dict.fromkeys(keys))  # one lock order across runs
        ],
        ["block_key", "producer_key", "product_key"],
    )
    d = t.dim_product.c
    wanted = set(keys)
    lookup = {}
    for product_id, *key in conn.execute(
        # Only this file's producers (a prefix of the unique index), not the whole block;
        # plain tuples: a producer may have hundreds of products in the block.
        select(d.product_id, d.block_key, d.producer_key, d.product_key).where(
            d.block_key.in_(blocks), d.producer_key.in_(sorted({k[1] for k in keys}))
        )
    ):
        if (found := tuple(key)) in wanted:
            lookup[found] = int(product_id)
    return [lookup[k] for k in keys]


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


def _fact_rows(
    rows: pd.DataFrame,
    *,
    file_id: int,
    load_id: int,
    product_ids: list[int],
    producer_ids: dict[tuple[str, str], int],
    warnings: dict[tuple[str, int], int],
) -> list[dict[str, Any]]:
    records = []
    cols = {name: rows[name].tolist() for name in _FACT_COLUMNS}
    producer_keys = list(zip(rows["_block"], rows[c.PRODUCER_KEY], strict=True))
    names = rows[c.PRODUCER_NAME].tolist()
    for i in range(len(rows)):
        rec = {name: _none(cols[name][i]) for name in _FACT_COLUMNS}
        rec.update(
            file_id=file_id,
            load_id=load_id,
            product_id=product_ids[i],
            producer_id=producer_ids.get(producer_keys[i]),
            producer_name=_none(names[i]),
            warnings=warnings.get((rec[c.SOURCE_SHEET], rec[c.SOURCE_ROW]), 0),
        )
        rec[c.IS_POTENTIAL_5_STAR] = bool(rec[c.IS_POTENTIAL_5_STAR])
        records.append(rec)
    return records


def _rejected_rows(
    rejected: pd.DataFrame, raw: pd.DataFrame | None, file_id: int
) -> list[dict[str, Any]]:
    """The rejected rows exactly as the district wrote them (from the extracted frame)."""
    source = raw if raw is not None else rejected
    wanted = set(zip(rejected[c.SOURCE_SHEET], rejected[c.SOURCE_ROW], strict=True))
    out = []
    for rec in source.to_dict("records"):
        key = (rec[c.SOURCE_SHEET], rec[c.SOURCE_ROW])
        if key in wanted:
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


def _insert_facts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The file's facts, inside the caller's transaction.

    PostgreSQL: COPY on the same DBAPI connection (so the same transaction: a failure later in
    the file rolls the facts back too) — many times faster than an INSERT per row through
    SQLAlchemy's executemany/insertmanyvalues path. Elsewhere: one executemany.
    """
    if conn.dialect.name != "postgresql":
        conn.execute(insert(t.fct_recognition), rows)
        return
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(t.fct_recognition.name),
        sql.SQL(", ").join(sql.Identifier(name) for name in columns),
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


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
    rows = valid.copy()
    rows["_block"] = rows[c.PROVINCE_CODE].fillna("").astype(str)
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
        file_id = int(
            conn.execute(
                insert(t.ledger_file).values(**file_values).returning(t.ledger_file.c.file_id)
            ).scalar_one()
        )

        # The new file replaces, as a whole, the current submission of its unit and period
        # and any current load of these very bytes (an operator's forced reload).
        f = t.ledger_file.c
        replaced = f.byte_sha256 == facts.byte_sha256
        if submission.key is not None:
            replaced = or_(replaced, f.submission_key == submission.key)
        superseded = tuple(
            int(x)
            for x in conn.execute(
                update(t.ledger_file)
                .where(replaced, f.status == "loaded", f.file_id != file_id)
                .values(status="superseded", superseded_by_file_id=file_id, superseded_at=utcnow())
                .returning(f.file_id)
            ).scalars()
        )

        producer_ids = _producer_ids(conn, rows, file_id)
        _queue_unresolved_units(conn, rows, file_id)
        product_ids = _product_ids(conn, rows, producer_ids, file_id) if len(rows) else []
        facts_rows = _fact_rows(
            rows,
            file_id=file_id,
            load_id=load_id,
            product_ids=product_ids,
            producer_ids=producer_ids,
            warnings=warnings,
        )
        if facts_rows:
            _insert_facts(conn, facts_rows)
        if issues:
            conn.execute(insert(t.dq_issue), issue_rows(issues, file_id=file_id, load_id=load_id))
        rejected_rows = _rejected_rows(rejected, raw_rows, file_id)
        if rejected_rows:
            conn.execute(insert(t.dq_rejected_row), rejected_rows)
        conn.execute(
            update(t.ledger_file).where(t.ledger_file.c.file_id == file_id).values(status="loaded")
        )
    return LoadResult(file_id=file_id, rows_loaded=len(facts_rows), superseded_file_ids=superseded)
