"""``ocop_etl.load.bulk``: rows column-wise to the driver, with the database's own rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select

from ocop_etl.load import bulk, ledger
from ocop_etl.load import tables as t
from tests.integration.helpers import numbers, query_plan, statements_sent, warehouse

pytestmark = pytest.mark.integration

_HANOI = timezone(timedelta(hours=7))


def test_column_values_turn_every_missing_value_into_none() -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "c"], dtype="str"),
            "count": pd.Series([1, None, 3], dtype="Int64"),
            "score": pd.Series([1.5, None, 2.0], dtype="Float64"),
            "day": pd.Series([date(2020, 1, 1), None, pd.NaT], dtype=object),
        }
    )
    assert bulk.column_values(frame["text"]) == ["a", None, "c"]
    assert bulk.column_values(frame["count"]) == [1, None, 3]
    assert bulk.column_values(frame["score"]) == [1.5, None, 2.0]
    assert bulk.column_values(frame["day"]) == [date(2020, 1, 1), None, None]
    assert [type(v) for v in bulk.column_values(frame["count"])] == [int, type(None), int]


def test_a_bind_processor_applied_once_per_distinct_value_gives_the_same_list() -> None:
    from hypothesis import example, given
    from hypothesis import strategies as st
    from sqlalchemy import Date
    from sqlalchemy.dialects import sqlite

    sqlite_date = Date().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    assert sqlite_date is not None
    values = st.lists(
        st.one_of(
            st.none(),
            st.dates(),
            st.datetimes(),  # equal to no date, but a date to SQLite's DATE processor
            st.text(max_size=3),
            st.booleans(),  # True == 1 == 1.0: must not share a processed value
            st.integers(-2, 2),
            st.floats(-2, 2),
        ),
        max_size=12,
    )

    @given(values)
    @example([True, 1])  # equal, and so are their hashes
    @example([1, 1.0])
    @example([date(2024, 1, 1), datetime(2024, 1, 1)])
    @example(  # the same instant in two time zones: equal, written differently
        [datetime(2024, 1, 1, 7, tzinfo=UTC), datetime(2024, 1, 1, 14, tzinfo=_HANOI)]
    )
    def same(column: list[object]) -> None:
        dates = [v for v in column if isinstance(v, date)] or [None]
        assert bulk.apply_processor(sqlite_date, dates) == [sqlite_date(v) for v in dates]
        # repr tells 1 from True from 1.0, and a date from a datetime
        assert bulk.apply_processor(repr, column) == [repr(v) for v in column]

    same()


def test_values_are_stored_as_sqlalchemy_stores_them(warehouse_url: str) -> None:
    engine = warehouse(warehouse_url)
    load_id = ledger.start_load(engine, source="test", flow_run_id=None)
    now = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    issue = {
        "load_id": load_id,
        "code": "x",
        "severity": "warning",
        "message_vi": "vi",
        "message_en": "en",
        "created_at": now,
    }
    with engine.begin() as conn:
        file_id = conn.execute(
            insert(t.ledger_file)
            .values(
                load_id=load_id,
                source_path="p",
                source_file="f",
                byte_sha256="b",
                size_bytes=1,
                received_at=now,
                processed_at=now,
                status="loaded",
            )
            .returning(t.ledger_file.c.file_id)
        ).scalar_one()
        conn.execute(insert(t.dq_issue), [issue | {"file_id": file_id, "source_row": 1}])
        bulk.insert_rows(
            conn,
            t.dq_issue,
            bulk.records_to_columns([issue | {"file_id": file_id, "source_row": 2}]),
        )
        # The raw stored values (what BI tools read), not what SQLAlchemy parses back.
        stored = conn.exec_driver_sql(
            "SELECT created_at, code FROM dq_issue ORDER BY source_row"
        ).fetchall()
        typed = conn.execute(select(t.dq_issue.c.created_at).order_by(t.dq_issue.c.source_row))
    assert stored[0] == stored[1]
    assert len({v for (v,) in typed}) == 1


def test_a_violated_constraint_raises_as_sqlalchemy_raises_it(warehouse_url: str) -> None:
    # COPY (PostgreSQL) and executemany (SQLite) alike: the pipeline tells a duplicate from an
    # outage by sqlalchemy.exc classes.
    engine = warehouse(warehouse_url)
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        bulk.insert_rows(
            conn,
            t.dq_rejected_row,
            {"file_id": [999_999], "source_sheet": ["DS"], "source_row": [1], "raw_json": ["{}"]},
        )


@pytest.mark.postgres
def test_a_too_long_key_is_refused_not_truncated(postgres_url: str) -> None:
    engine = warehouse(postgres_url)
    with pytest.raises(sa_exc.DataError), engine.begin() as conn:
        bulk.insert_rows(
            conn,
            t.dim_producer,
            {
                "block_key": ["x" * 17],  # varchar(16)
                "key_exact": ["k"],
                "key_loose": ["k"],
                "display_name": ["K"],
                "producer_type": ["unknown"],
            },
            on_conflict_do_nothing=["block_key", "key_exact"],
        )


def test_a_files_keys_are_sought_in_the_unique_index_not_by_reading_the_whole_table(
    warehouse_url: str,
) -> None:
    # A file looks up its ~200 product keys. Reading the whole table instead (PostgreSQL's
    # planner hashed it, given a plain join) makes every file slower as the warehouse grows.
    from sqlalchemy import text

    engine = warehouse(warehouse_url)
    with engine.begin() as conn:
        # 20,000 products in one statement, then fresh statistics, as after a backfill.
        conn.execute(
            text(
                "INSERT INTO dim_product (block_key, producer_key, product_key, display_name)"
                " SELECT 'b' || (n % 30), 'p' || (n % 997), 'product ' || n, 'P' FROM "
                + numbers(engine, 20000)
            )
        )
        conn.execute(text("ANALYZE"))
    keys = [(f"b{n % 30}", f"p{n % 997}", f"product {n}") for n in range(1, 20000, 100)]
    keys.append(("b1", "p1", "no such product"))

    with statements_sent(engine) as sent, engine.connect() as conn:
        found = bulk.lookup_ids(
            conn,
            t.dim_product,
            "product_id",
            ("block_key", "producer_key", "product_key"),
            keys,
        )

    assert len(found) == len(keys) - 1 and ("b1", "p1", "no such product") not in found
    with engine.connect() as conn:
        for statement, parameters in sent:
            plan = query_plan(conn, statement, parameters)
            if engine.dialect.name == "postgresql":
                assert not [line for line in plan if "Seq Scan on dim_product" in line], plan
                assert [line for line in plan if "uq_dim_product" in line], plan
            else:
                assert not [line for line in plan if line.startswith("SCAN t")], plan
                assert [line for line in plan if line.startswith("SEARCH t USING")], plan


@pytest.mark.postgres
def test_an_array_literal_reaches_postgresql_value_for_value(postgres_url: str) -> None:
    # Keys and names are whatever districts typed: quotes, backslashes, braces, commas,
    # spaces at either end, the word NULL, Vietnamese in any normalization form.
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    engine = warehouse(postgres_url)
    # codec="utf-8": no lone surrogates. A workbook's text is UTF-8 XML, so none can arrive,
    # and psycopg refuses to encode one (Hypothesis drew '\ud800' about once in 10 runs).
    text_values = st.lists(
        st.none()
        | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
        | st.sampled_from(["NULL", '"', "\\", "{a,b}", " x ", "Hợp tác xã", ""]),
        max_size=20,
    )
    numbers = st.lists(st.none() | st.integers(-(2**31), 2**31 - 1), max_size=10)
    floats = st.lists(st.none() | st.floats(allow_nan=False), max_size=10)

    with engine.connect() as conn:

        @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(text_values, numbers, floats)
        def round_trip(texts: list, ints: list, reals: list) -> None:
            for values, cast in ((texts, "text[]"), (ints, "integer[]"), (reals, "float8[]")):
                sent = bulk.array_literal(values)
                back = conn.exec_driver_sql(f"SELECT %s::{cast}", (sent,)).scalar_one()
                assert back == values

        round_trip()


def test_new_rows_come_back_with_their_own_ids_whether_or_not_some_already_existed(
    warehouse_url: str,
) -> None:
    # The loader maps each new producer key to its id from what insert_new returns. SQLite
    # cannot return rows from an executemany: when every row was inserted, their ids are
    # worked out from the highest before and after; when some were duplicates, read back.
    engine = warehouse(warehouse_url)

    def insert(keys: list[str]) -> dict[str, int]:
        with engine.begin() as conn:
            rows = bulk.insert_new(
                conn,
                t.dim_producer,
                {
                    "block_key": ["79"] * len(keys),
                    "key_exact": keys,
                    "display_name": [k.upper() for k in keys],
                    "producer_type": ["cooperative"] * len(keys),
                    "key_loose": keys,
                },
                on_conflict_do_nothing=["block_key", "key_exact"],
                returning=["producer_id", "key_exact"],
            )
        return {key: int(row_id) for row_id, key in rows}

    def stored() -> dict[str, int]:
        with engine.connect() as conn:
            found = conn.execute(select(t.dim_producer.c.key_exact, t.dim_producer.c.producer_id))
            return {key: int(row_id) for key, row_id in found}

    first = insert(["htx a", "htx b", "htx c"])
    assert first == stored()
    # "htx b" exists: it is skipped (ON CONFLICT DO NOTHING), and the ids returned for the
    # new ones are theirs, not shifted by the row that was not inserted.
    second = insert(["htx b", "htx d", "htx e"])
    assert set(second) <= {"htx b", "htx d", "htx e"} and {"htx d", "htx e"} <= set(second)
    assert second == {k: v for k, v in stored().items() if k in second}
    # Ids above a gap (the highest row deleted) are still each row's own.
    with engine.begin() as conn:
        conn.execute(t.dim_producer.delete().where(t.dim_producer.c.key_exact == "htx e"))
    third = insert(["htx f", "htx g"])
    assert third == {k: v for k, v in stored().items() if k in ("htx f", "htx g")}
    assert len(stored()) == 6
