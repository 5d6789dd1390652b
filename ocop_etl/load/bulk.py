"""Many rows in one statement, on the file's own transaction, without per-row SQLAlchemy work.

SQLAlchemy's executemany builds and type-processes one parameter dict per row; for a file's
few hundred facts that cost more than the database's own work. Here rows travel as plain
tuples, and each column is converted once, as a whole, by the very bind processor SQLAlchemy
would have applied to each value (dates → ISO text and booleans → 0/1 on SQLite, …): the
stored values are the same.

Statements go through ``Connection.exec_driver_sql``: the caller's connection, hence the
file's one transaction, and a DBAPI error still arrives as a ``sqlalchemy.exc`` exception
(the pipeline tells a concurrent duplicate from an outage by them). On PostgreSQL, plain
inserts use COPY on the same connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table
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


def insert_rows(
    conn: Connection, table: Table, columns: Columns, *, on_conflict_do_nothing: Sequence[str] = ()
) -> None:
    """INSERT the rows (given column-wise) into ``table``, in their order.

    ``on_conflict_do_nothing``: the unique key whose duplicates are skipped (``INSERT … ON
    CONFLICT (key) DO NOTHING``): a concurrent run may have created the same identity.
    """
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    rows = list(zip(*_processed(conn, table, columns), strict=True))
    if conn.dialect.name == "postgresql" and not on_conflict_do_nothing:
        _copy(conn, table, names, rows)
        return
    sql = _insert_sql(conn.dialect.name, table.name, tuple(names), tuple(on_conflict_do_nothing))
    conn.exec_driver_sql(sql, rows)


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
    out: list[Sequence[Any]] = []
    for name, values in columns.items():
        process = _bind_processor(conn, table, name)
        out.append(values if process is None else [process(v) for v in values])
    return out


def _bind_processor(conn: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    return _dialect_bind_processor(conn.dialect, table, name)


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
