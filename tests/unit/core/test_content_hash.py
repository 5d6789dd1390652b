"""content_hash: the ledger's "have we loaded this content before?" key, which must never move.

It is defined as the SHA-256 of ``to_csv(index=False)`` of the rows without the file name,
columns in name order; ``check._csv_text`` writes that text without ``to_csv``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from ocop_etl.check import content_hash
from ocop_etl.extract import read_report
from ocop_etl.samples import write_samples


def _rows(**extra: list[object]) -> pd.DataFrame:
    """Rows as ``read_report`` builds them: text-or-None cells, int64 row numbers."""
    rows = pd.DataFrame(
        {
            "source_file": ["thang-binh_2022.xlsx"] * 4,
            "source_sheet": ["DS", "DS", "DS", "5 sao"],
            "source_row": [9, 10, 11, 4],
            "stars": ["4 sao", None, "3", "5 sao (tiềm năng)"],
            # Everything the csv writer must quote or escape, and cells that are empty.
            "product_name": ['Gạo "Cái quạt mo"', "Nước mắm, cá cơm", "Trà\nhoa vàng", " Mật ong "],
            "producer": ["HTX NN Thanh niên", "", float("nan"), "Cơ sở Bà Tám\r\n"],
            **extra,
        },
        dtype=object,
    )
    rows["source_row"] = rows["source_row"].astype("int64")
    return rows


def _to_csv_hash(rows: pd.DataFrame) -> str:
    """The definition, as content_hash computed it before it wrote the CSV text itself."""
    body = rows.drop(columns=["source_file"], errors="ignore")
    body = body.reindex(sorted(body.columns), axis=1)
    return hashlib.sha256(body.to_csv(index=False).encode("utf-8")).hexdigest()


def test_the_hash_of_the_same_rows_never_changes() -> None:
    # Computed by the to_csv implementation: files already in a ledger carry this value.
    assert content_hash(_rows()) == "12fa43c75467baaf0a52210d2af75a0a6981f6b9d7a8e2654872b23ae0e53af9"


@pytest.mark.parametrize(
    "rows",
    [
        _rows(),
        _rows().iloc[:0],  # no rows: the header alone
        _rows()[["source_file", "source_sheet"]],  # one hashed column
        _rows(score=[72.5, None, 90.0, 1e-7]).astype({"score": "float64"}),  # floats: to_csv's own
        _rows().astype({"stars": "str"}),  # pandas' str dtype: NaN, not None
        _rows().set_index("source_row", drop=False),  # the index is never hashed
    ],
    ids=["report", "empty", "one-column", "float-column", "str-column", "other-index"],
)
def test_the_hash_is_the_sha256_of_to_csv(rows: pd.DataFrame) -> None:
    assert content_hash(rows) == _to_csv_hash(rows)


def test_generated_reports_hash_as_to_csv_does(tmp_path: Path) -> None:
    reports = write_samples(tmp_path, files=8, rows_per_file=(5, 30), seed=7, faults=True)
    for report in reports:
        rows = read_report(report.path).rows
        assert content_hash(rows) == _to_csv_hash(rows), report.path.name
