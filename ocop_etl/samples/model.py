"""Ground truth returned by ``write_samples``: what the pipeline must load from each file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class ExpectedRow:
    """One product row as the pipeline must load it.

    Unit names are official and without prefix ("Quảng Nam", "Thăng Bình", "Hà Lam"), as
    vietnamadminunits' pre-2025 table spells them. Decision fields carry the file's decision
    also when it appears only in the title. ``expected_issue`` is a code of
    ``ocop_etl.issues.CATALOGUE`` on deliberately broken rows (``faults=True``): error codes
    mean the row is rejected, warnings mean it is loaded with the warning; on such rows the
    fields hold what the cell says (e.g. stars 13, score 130.0, product_name "").
    """

    source_sheet: str
    source_row: int  # 1-based Excel row where the product row was written
    product_name: str
    producer: str | None
    province: str
    district: str | None
    commune: str | None
    stars: int | None  # None for "tiềm năng 5 sao"
    is_potential_5_star: bool
    score: float | None
    decision_no: str | None
    decision_date: date | None
    year: int
    expected_issue: str | None = None


@dataclass(frozen=True)
class SampleReport:
    """One written workbook and the rows it holds, in sheet order."""

    path: Path
    province: str
    district: str | None
    year: int
    round: int | None
    rows: tuple[ExpectedRow, ...]
