"""Many rows in one statement, on the file's own transaction, without per-row SQLAlchemy work.

SQLAlchemy's executemany builds and type-processes one parameter dict per row; for a file's
few hundred facts that cost more than the database's own work. Here rows travel as plain
tuples, and each column is converted once, as a whole, by the very bind processor SQLAlchemy
would have applied to each value (dates → ISO text and booleans → 0/1 on SQLite, …): the
stored values are the same.

Statements go through ``Connection.exec_driver_sql``: the caller's connection, hence the
file's one transaction, and a DBAPI error still arrives as a ``sqlalchemy.exc`` exception
(the pipeline tells a concurrent duplicate from an outage by them). On PostgreSQL, plain
inserts use COPY on the same connection, and inserts that skip duplicates or look keys up
send one array per column (``unnest``): one short statement however many rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, CursorResult, String, Table
from sqlalchemy import exc as sa_exc

Columns = Mapping[str, Sequence[Any]]
"""Rows given column-wise: column name → one value per row (all of the same length)."""


def column_values(series: pd.Series) -> list[Any]:
    """The column as plain Python values, a missing one (None, NaN, NA, NaT) as None.

    One ``tolist`` and one ``isna`` for the whole column, instead of a check per cell; drivers
    cannot bind pandas' NA or numpy scalars.
    """
    values = series.tolist()
    # isna of the bare array: Series.isna would build a whole Series just to be read once.
    for i in np.flatnonzero(pd.isna(series.to_numpy())):
        values[i] = None
    if series.dtype == object and any(issubclass(t, np.generic) for t in set(map(type, values))):
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return values


def records_to_columns(records: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Row dicts (all with the same keys) as columns, for the few small inserts built that way."""
    if not records:
        return {}
    return {name: [r[name] for r in records] for name in records[0]}


@dataclass(frozen=True)
class Rows:
    """Rows ready for the driver (``convert``): the column names and one tuple per row."""

    names: tuple[str, ...]
    values: list[tuple[Any, ...]]


def convert(dialect: Any, table: Table, columns: Columns) -> Rows:
    """The rows as the driver of ``dialect`` takes them (each column's bind processor applied
    once, as a whole, then one tuple per row): done before the file's transaction, so SQLite's
    write lock is not held for it; pass the result to ``insert_rows(..., converted=)``."""
    processed = _processed_for(dialect, table, columns)
    return Rows(tuple(columns), list(zip(*processed, strict=True)))


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Columns,
    *,
    on_conflict_do_nothing: Sequence[str] = (),
    converted: Rows | None = None,
) -> int:
    """INSERT the rows (given column-wise) into ``table``, in their order; returns how many
    were inserted (duplicates skipped are not counted).

    ``on_conflict_do_nothing``: the unique key whose duplicates are skipped (``INSERT … ON
    CONFLICT (key) DO NOTHING``): a concurrent run may have created the same identity.
    ``converted``: more columns of the same rows, already through ``convert`` (plain
    inserts only).
    """
    if converted is not None and on_conflict_do_nothing:
        raise ValueError("converted rows are for plain inserts")
    processed = _processed(conn, table, columns)
    names = list(columns)
    if conn.dialect.name == "postgresql" and on_conflict_do_nothing:
        if names and len(processed[0]):
            unnest = _insert_unnest(conn, table, names, processed, on_conflict_do_nothing)
            return int(unnest.rowcount)
        return 0
    rows: list[tuple[Any, ...]] = list(zip(*processed, strict=True))
    if converted is not None:
        names += converted.names
        # Each row's own columns, then its converted ones: one tuple concatenation per row.
        rows = (
            [own + more for own, more in zip(rows, converted.values, strict=True)]
            if columns
            else converted.values
        )
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        _copy(conn, table, names, rows)
        return len(rows)  # COPY inserts every row or fails
    sql = _insert_sql(conn.dialect.name, table.name, tuple(names), tuple(on_conflict_do_nothing))
    return int(conn.exec_driver_sql(sql, rows).rowcount)


def insert_new(
    conn: Connection,
    table: Table,
    columns: Columns,
    *,
    on_conflict_do_nothing: Sequence[str],
    returning: Sequence[str],
) -> Sequence[Sequence[Any]]:
    """``insert_rows`` with ON CONFLICT DO NOTHING, and the ``returning`` columns (the id
    column first) of rows with ids above the table's highest before the insert.

    PostgreSQL hands them back with the insert itself. SQLite's executemany cannot return
    rows, and one long INSERT … RETURNING parsed anew for every file measured slower. SQLite
    gives a new row an id above the highest: when every row was inserted (none skipped as a
    duplicate) and the highest id grew by exactly their number, the rows hold the ids after
    the old highest, in their order, and nothing is read back. Otherwise the rows above the
    old highest are read back (by that id range, not by a VALUES join of their keys: ~2.4 ms
    a look-up at 130k products). Either way, a key → id pair returned is true. Callers look
    up the keys not returned.
    """
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return []
    if conn.dialect.name != "postgresql":
        id_column = returning[0]
        highest = f"SELECT COALESCE(MAX({id_column}), 0) FROM {table.name}"  # noqa: S608
        before = conn.exec_driver_sql(highest).scalar_one()
        count = len(columns[names[0]])
        inserted = insert_rows(conn, table, columns, on_conflict_do_nothing=on_conflict_do_nothing)
        if inserted == count and conn.exec_driver_sql(highest).scalar_one() == before + count:
            # n new ids, all above ``before`` and none above ``before + n``: exactly these,
            # and each row's id is above the previous row's (it was the highest then).
            keys = [columns[name] for name in returning[1:]]
            return list(zip(range(before + 1, before + count + 1), *keys, strict=True))
        return conn.exec_driver_sql(
            f"SELECT {', '.join(returning)} FROM {table.name} WHERE {id_column} > ?",  # noqa: S608
            (before,),
        ).fetchall()
    processed = _processed(conn, table, columns)
    return _insert_unnest(
        conn, table, names, processed, on_conflict_do_nothing, returning
    ).fetchall()


# Keys looked up per SQLite statement: far below its parameter limit (32,766).
_LOOKUP_CHUNK = 500


def lookup_ids(
    conn: Connection,
    table: Table,
    id_column: str,
    key_columns: Sequence[str],
    keys: Sequence[tuple[Any, ...]],
) -> dict[tuple[Any, ...], int]:
    """``{key: id}`` of the rows of ``table`` whose ``key_columns`` equal one of ``keys``.

    The keys are joined with the table, so the database seeks each one in the unique index
    and only these rows come back.
    """
    out: dict[tuple[Any, ...], int] = {}
    if not keys:
        return out
    for sql, params in _lookup_statements(conn, table, id_column, key_columns, keys):
        for row_id, *key in conn.exec_driver_sql(sql, params).fetchall():
            out[tuple(key)] = int(row_id)
    return out


def _lookup_statements(
    conn: Connection,
    table: Table,
    id_column: str,
    key_columns: Sequence[str],
    keys: Sequence[tuple[Any, ...]],
) -> list[tuple[str, tuple[Any, ...]]]:
    picked = f"t.{id_column}, {', '.join(f't.{name}' for name in key_columns)}"
    if conn.dialect.name == "postgresql":
        # unnest(arrays): one short statement whatever the number of keys (psycopg would
        # parse a long text of placeholders anew for every file). Each key is sought in the
        # unique index (LATERAL … OFFSET 0 keeps the subquery a per-key probe): given a plain
        # join, the planner hashed the whole table for a file's 200 keys, 15 ms at 28k
        # products and growing with the warehouse.
        arrays = ", ".join(f"%s::{_pg_array_type(conn, table, name)}" for name in key_columns)
        on = " AND ".join(f"t.{name} = v.{name}" for name in key_columns)
        sql = (
            f"SELECT {picked} FROM unnest({arrays}) AS v({', '.join(key_columns)})"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT * FROM {table.name} t WHERE {on} OFFSET 0) t"
        )
        return [(sql, tuple(map(array_literal, zip(*keys, strict=True))))]
    # SQLite: a VALUES list (its columns are column1, column2, …). A join, because SQLite does
    # not use the index for ``(a, b) IN (VALUES …)``.
    on = " AND ".join(f"t.{name} = v.column{i + 1}" for i, name in enumerate(key_columns))
    statements = []
    for chunk in chunks(keys, _LOOKUP_CHUNK):
        values = values_list(conn, len(chunk), len(key_columns))
        sql = f"SELECT {picked} FROM (VALUES {values}) AS v JOIN {table.name} t ON {on}"  # noqa: S608
        statements.append((sql, tuple(part for key in chunk for part in key)))
    return statements


def _pg_array_type(conn: Connection, table: Table, name: str) -> str:
    # text[] for every string column: an explicit cast to varchar(n) would silently truncate,
    # while the assignment to the column still rejects a value that is too long.
    column_type = table.c[name].type
    if isinstance(column_type, String):
        return "text[]"
    return f"{column_type.compile(dialect=conn.dialect)}[]"


def _insert_unnest(
    conn: Connection,
    table: Table,
    names: list[str],
    columns: list[Sequence[Any]],
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> CursorResult[Any]:
    """PostgreSQL INSERT … SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING:
    one statement for all rows, in their order (executemany would run one INSERT per row)."""
    arrays = ", ".join(f"%s::{_pg_array_type(conn, table, name)}" for name in names)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"  # noqa: S608
        f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return conn.exec_driver_sql(sql, tuple(map(array_literal, columns)))


def array_literal(values: Iterable[Any]) -> str:
    """The values as one PostgreSQL array literal, ``{"a","b \\"c\\"",NULL}``, for a
    ``%s::text[]`` (or ``::integer[]``…) parameter: the server parses it into the array.

    psycopg adapts a Python list element by element in Python: ~1.4 µs each, 0.8 ms for the
    570 strings of a file's 190 product keys (measured), on every lookup and insert here.
    Building the literal costs a fraction of that. Every element is quoted, so inside it only
    a backslash and a double quote need escaping (PostgreSQL's array input rules); None is
    NULL; anything else is sent as its ``str`` (ints, floats, ISO dates), which the cast parses.
    """
    return (
        "{"
        + ",".join(
            "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        )
        + "}"
    )


def fetch_all(conn: Connection, sql: str, params: Sequence[Any] = ()) -> Sequence[Sequence[Any]]:
    """Rows of a query written with ``placeholders`` (one fetchall, not a fetch per row)."""
    return conn.exec_driver_sql(sql, tuple(params)).fetchall()


def placeholders(conn: Connection, count: int) -> str:
    """``count`` positional parameter markers for this driver: "?, ?" (SQLite), "%s, %s"."""
    return ", ".join([_marker(conn)] * count)


def values_list(conn: Connection, rows: int, width: int) -> str:
    """``(?, ?), (?, ?)``: ``rows`` row values of ``width`` markers, for ``(a, b) IN (VALUES …)``."""
    row = f"({placeholders(conn, width)})"
    return ", ".join([row] * rows)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (one statement per slice)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marker(conn: Connection) -> str:
    return "%s" if conn.dialect.name == "postgresql" else "?"


def _processed(conn: Connection, table: Table, columns: Columns) -> list[Sequence[Any]]:
    return _processed_for(conn.dialect, table, columns)


def _processed_for(dialect: Any, table: Table, columns: Columns) -> list[Sequence[Any]]:
    out: list[Sequence[Any]] = []
    for name, values in columns.items():
        process = _dialect_bind_processor(dialect, table, name)
        out.append(values if process is None else apply_processor(process, values))
    return out


# Types whose equal values are interchangeable: no value of one equals a value of another
# (unlike True == 1 == 1.0), so a value's processed form can be looked up by the value.
_BY_VALUE = frozenset({str, date, type(None)})


def apply_processor(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """``[process(v) for v in values]``, calling ``process`` once per distinct value where
    that gives the same list: a file's dates repeat on every row (its decision date, its
    validity), and SQLite's DATE processor is a Python call formatting each one (274k calls
    per 700-file backfill)."""
    if len(values) > 1 and set(map(type, values)) <= _BY_VALUE:
        done = {value: process(value) for value in set(values)}
        return [done[value] for value in values]
    return [process(value) for value in values]


@lru_cache(maxsize=256)
def _dialect_bind_processor(dialect: Any, table: Table, name: str) -> Callable[[Any], Any] | None:
    # What SQLAlchemy applies to a bound value of this column on this dialect (None: nothing);
    # asked once per column, not for every file.
    column_type = table.c[name].type
    return column_type.dialect_impl(dialect).bind_processor(dialect)


@lru_cache(maxsize=64)
def _insert_sql(dialect: str, table: str, names: tuple[str, ...], conflict: tuple[str, ...]) -> str:
    # Identifiers come from our table metadata, never from data; values are parameters.
    marks = ", ".join(["%s" if dialect == "postgresql" else "?"] * len(names))
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    return sql


def _copy(conn: Connection, table: Table, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY on the same DBAPI connection, so in the same transaction: a failure later in the
    file rolls these rows back too. Many times faster than INSERTs for a file's facts."""
    from psycopg import Error as PsycopgError
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except PsycopgError as error:
        # Raised as SQLAlchemy raises everything else, so the caller's handling (a duplicate,
        # an outage worth a retry) does not depend on which statement hit it.
        raise sa_exc.DBAPIError.instance(f"COPY {table.name}", None, error, PsycopgError) from error
