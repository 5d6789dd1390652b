"""The two reference points the pipeline is measured against.

NAIVE — the script a clerk would write: per file ``pd.read_excel(engine="openpyxl")``, find
the header, validate with pandera, ``df.to_sql`` (a transaction per file).

FLOOR — what the hardware allows for the same data movement: python-calamine grids, header
detection in plain Python, pandera ONCE on the concatenated frame, one ``executemany``
(SQLite) or ``COPY`` (PostgreSQL) in one transaction.

Both do far less than the pipeline (no normalization, units, keys, feedback or ledger): they
bound it from above and below. Both share the same plain-Python header detection.
A "no-change" run only fingerprints the files and skips those already loaded (the naive
script asks the database once per file, the floor once for all).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

FIELDS = ("product", "producer", "commune", "district", "address", "score", "stars", "decision")
_LABELS = {
    "product": ("ten san pham", "san pham", "ten san pham ocop", "ten sp"),
    "producer": ("chu the", "ten chu the", "don vi san xuat", "chu the san xuat"),
    "commune": ("xa", "xa, phuong, thi tran", "xa/phuong/thi tran"),
    "district": ("huyen", "huyen, thi xa, thanh pho", "huyen/tx/tp"),
    "address": ("dia chi", "dia chi chu the"),
    "score": ("diem", "so diem", "tong diem", "diem danh gia"),
    "stars": ("hang sao", "xep hang", "ket qua", "so sao"),
    "decision": ("quyet dinh", "quyet dinh cong nhan", "so, ngay quyet dinh", "so quyet dinh"),
}
_LABEL_FIELD = {label: field for field, labels in _LABELS.items() for label in labels}
COLUMNS = ("source_file", "sheet", "row_no", *FIELDS)

SCHEMA = pa.DataFrameSchema(
    {
        "source_file": pa.Column(str),
        "row_no": pa.Column(int, pa.Check.ge(1)),
        "product": pa.Column(str, nullable=True),
        "stars": pa.Column(object, nullable=True),
        "score": pa.Column(object, nullable=True),
    },
    checks=[pa.Check(lambda df: df["product"].notna(), name="product_present")],
    strict=False,
)


def _fold(value: Any) -> str:
    text = unicodedata.normalize("NFD", str(value).strip().lower()).replace("đ", "d")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def find_header(grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(first data row, field → column) of a sheet, or None: the first row naming the product
    column; a second header row (leaves under merged group labels) is read too."""
    for r, row in enumerate(grid[:40]):
        labels = {c: _LABEL_FIELD.get(_fold(v)) for c, v in enumerate(row) if v not in (None, "")}
        if "product" not in labels.values():
            continue
        cols = {f: c for c, f in labels.items() if f}
        start = r + 1
        if start < len(grid):
            below = {c: _LABEL_FIELD.get(_fold(v)) for c, v in enumerate(grid[start]) if v}
            if any(below.values()):
                cols.update({f: c for c, f in below.items() if f})
                start += 1
        return start, cols
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_of_sheet(name: str, sheet: str, grid: list[list[Any]]) -> list[tuple[Any, ...]]:
    found = find_header(grid)
    if found is None:
        return []
    start, cols = found
    out = []
    for r in range(start, len(grid)):
        row = grid[r]
        values = [_text(row[cols[f]]) if f in cols and cols[f] < len(row) else None for f in FIELDS]
        if values[0] is not None:
            out.append((name, sheet, r + 1, *values))
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- databases -----------------------------------------------------------------------------


def connect(url: str) -> Any:
    """A plain DBAPI connection (sqlite3 / psycopg) for the floor and the ledger tables."""
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(url.split("///", 1)[1])
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def _ensure_tables(conn: Any, prefix: str) -> None:
    cols = ", ".join(f"{c} {'integer' if c == 'row_no' else 'text'}" for c in COLUMNS)
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE IF NOT EXISTS {prefix}_recognition ({cols})")
    cur.execute(f"CREATE TABLE IF NOT EXISTS {prefix}_file (sha256 text PRIMARY KEY, name text)")
    conn.commit()


# --- naive ----------------------------------------------------------------------------------


def run_naive(files: list[Path], url: str, *, no_change: bool) -> int:
    """Returns the rows loaded."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS naive_file (sha256 text PRIMARY KEY)"))
    loaded = 0
    for path in files:
        digest = sha256(path)
        with engine.connect() as conn:
            seen = conn.execute(
                text("SELECT 1 FROM naive_file WHERE sha256 = :h"), {"h": digest}
            ).first()
        if seen:
            continue
        if no_change:
            raise AssertionError(f"{path.name} was not loaded by the cold run")
        frames = []
        for sheet, raw in pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl").items():
            grid = raw.astype(object).where(raw.notna(), None).values.tolist()
            rows = rows_of_sheet(path.name, str(sheet), grid)
            if rows:
                frames.append(pd.DataFrame(rows, columns=list(COLUMNS)))
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True)
        try:
            SCHEMA.validate(df, lazy=True)
        except SchemaErrors as exc:
            bad = set(exc.failure_cases["index"].dropna().astype(int))
            df = df[~df.index.isin(bad)]
        with engine.begin() as conn:  # the clerk's "transaction per file"
            df.to_sql("naive_recognition", conn, if_exists="append", index=False)
            conn.execute(text("INSERT INTO naive_file VALUES (:h)"), {"h": digest})
        loaded += len(df)
    engine.dispose()
    return loaded


# --- floor ----------------------------------------------------------------------------------


def _calamine_rows(path: Path) -> list[tuple[Any, ...]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out: list[tuple[Any, ...]] = []
    for sheet in wb.sheet_names:
        out += rows_of_sheet(path.name, sheet, wb.get_sheet_by_name(sheet).to_python())
    return out


def run_floor(files: list[Path], url: str, *, no_change: bool) -> int:
    conn = connect(url)
    _ensure_tables(conn, "floor")
    digests = {p: sha256(p) for p in files}
    cur = conn.cursor()
    cur.execute("SELECT sha256 FROM floor_file")
    known = {r[0] for r in cur.fetchall()}
    todo = [p for p in files if digests[p] not in known]
    if no_change:
        assert not todo, f"{len(todo)} file(s) were not loaded by the cold run"
        conn.close()
        return 0
    rows: list[tuple[Any, ...]] = []
    for path in todo:
        rows += _calamine_rows(path)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    try:
        SCHEMA.validate(df, lazy=True)
    except SchemaErrors as exc:
        bad = set(exc.failure_cases["index"].dropna().astype(int))
        df = df[~df.index.isin(bad)]
    records = list(df.itertuples(index=False, name=None))
    files_rows = [(digests[p], p.name) for p in todo]
    if url.startswith("sqlite"):
        marks = ", ".join("?" * len(COLUMNS))
        # Constant table and placeholders only; the values travel as parameters.
        cur.executemany(f"INSERT INTO floor_recognition VALUES ({marks})", records)  # noqa: S608
        cur.executemany("INSERT INTO floor_file VALUES (?, ?)", files_rows)
    else:
        with cur.copy(f"COPY floor_recognition ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for rec in records:
                copy.write_row(rec)
        cur.executemany("INSERT INTO floor_file VALUES (%s, %s)", files_rows)
    conn.commit()
    conn.close()
    return len(records)


def report_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))


def iter_paths(values: Iterable[str]) -> list[Path]:
    return [Path(v) for v in values]
