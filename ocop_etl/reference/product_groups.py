"""OCOP product groups in both taxonomies, and matching a report's wording to a group.

Decision 1048/QĐ-TTg (2019) had 6 sectors; 148/QĐ-TTg (from 2023-02-24) has 6 groups coded I–VI
with sub-groups. Which taxonomy applies follows the decision date (criteria in force), so the
same words ("Đồ uống") map to different codes in 2021 and in 2024. Real lists rarely carry a
group at all, so an absent or unmatched group is simply NULL (not an issue).
"""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import cache
from pathlib import Path

from ocop_etl.transforms.text import match_key

_CSV = Path(__file__).with_name("product_groups.csv")
CRITERIA_148_FROM = date(2023, 2, 24)
# Bump when product_groups.csv changes: warehouses then reload dim_product_group.
PRODUCT_GROUPS_VERSION = "2026.11.1"
# Words officials put before the group name: "1. Nhóm thực phẩm", "Ngành: Đồ uống", "Bộ sản phẩm …".
_LEADING_VI = re.compile(r"^(?:[ivx]+\b|\d+\b)?\s*(?:nhóm|ngành|bộ sản phẩm|phân nhóm)?\s*")


@cache
def product_group_rows() -> list[dict[str, str | None]]:
    with _CSV.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(fh)]


def taxonomy_for(decision_date: date | None, year: int | None) -> str:
    """The taxonomy in force: by decision date, else by evaluation year (2023 and later → 148)."""
    if decision_date is not None:
        return "148/QĐ-TTg" if decision_date >= CRITERIA_148_FROM else "1048/QĐ-TTg"
    if year is not None and year >= 2023:
        return "148/QĐ-TTg"
    return "1048/QĐ-TTg"


@cache
def _index(taxonomy: str) -> dict[str, str]:
    """match key of each group name → code, for one taxonomy (top level wins on clashes)."""
    index: dict[str, str] = {}
    for row in sorted(product_group_rows(), key=lambda r: len(r["code"] or "")):
        if row["taxonomy"] == taxonomy and row["name"]:
            index.setdefault(match_key(row["name"]), str(row["code"]))
    return index


def match_product_group(raw: str | None, taxonomy: str) -> str | None:
    """The group code for a reported wording, or None when absent or not recognised."""
    if not raw:
        return None
    key = match_key(raw)
    key = _LEADING_VI.sub("", key, count=1).strip()
    return _index(taxonomy).get(key)
