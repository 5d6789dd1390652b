"""The choices offered by the template's drop-down lists.

Product groups come from ``ocop_etl/reference/product_groups.csv``, the table the normalizer
matches group names against, so any group picked from the list is one the pipeline recognises.
The file is read directly rather than through ``ocop_etl.reference.product_groups`` to keep the
template free of the normalizers' dependencies.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import cache
from importlib import resources

TAXONOMY_148 = "148/QĐ-TTg"
TAXONOMY_1048 = "1048/QĐ-TTg"
# 148/QĐ-TTg took effect on 24/02/2023; a template is for a whole reporting year, and reports for
# 2023 on are judged under 148.
FIRST_148_YEAR = 2023

STAR_CHOICES = ("3 sao", "4 sao", "5 sao", "Tiềm năng 5 sao")
PRODUCER_TYPES = (
    "Hợp tác xã",
    "Công ty",
    "Doanh nghiệp tư nhân",
    "Tổ hợp tác",
    "Hộ kinh doanh",
    "Cơ sở sản xuất",
)


def taxonomy_for_period(period: int | None) -> str:
    """The criteria set whose product groups apply to a report for ``period``.

    No period means a template for current reporting, hence the criteria in force now (148).
    """
    if period is None or period >= FIRST_148_YEAR:
        return TAXONOMY_148
    return TAXONOMY_1048


@cache
def _group_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("ocop_etl").joinpath("reference/product_groups.csv").read_text("utf-8")
    return tuple(
        {key: (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    )


def product_group_names(taxonomy: str) -> tuple[str, ...]:
    """Group names of ``taxonomy`` in file order (groups before their sub-groups), no repeats.

    Plain names, without codes, because names are what the normalizer matches.
    """
    names: list[str] = []
    for row in _group_rows():
        name = row.get("name", "")
        if row.get("taxonomy") == taxonomy and name and name not in names:
            names.append(name)
    return tuple(names)


def unit_choices(units: Sequence[str]) -> tuple[str, ...]:
    """The caller's administrative units, trimmed, blanks and repeats removed, order kept."""
    seen: list[str] = []
    for unit in units:
        text = " ".join(str(unit).split())
        if text and text not in seen:
            seen.append(text)
    return tuple(seen)
