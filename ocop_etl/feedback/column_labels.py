"""Vietnamese column labels, read from the same alias table the reader uses to find columns.

``ocop_etl/extract/column_aliases.csv`` lists, for each canonical field, the header spellings
the reader accepts; its first spelling is the field's canonical Vietnamese label. Feedback and
the template read that file instead of keeping their own list, so the template's headers are
exactly the ones the reader recognises and the feedback names columns the way officers do.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from functools import cache
from importlib import resources


@cache
def aliases_by_field() -> dict[str, tuple[str, ...]]:
    """Canonical field → accepted header spellings, in file order (first = canonical label)."""
    text = resources.files("ocop_etl").joinpath("extract/column_aliases.csv").read_text("utf-8")
    found: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        field, alias = (row.get("field") or "").strip(), (row.get("alias") or "").strip()
        if field and alias:
            found.setdefault(field, []).append(alias)
    return {field: tuple(spellings) for field, spellings in found.items()}


def label_for(field: str) -> str:
    """The canonical Vietnamese header of ``field`` ("stars" → "Hạng sao"); the field if unknown."""
    spellings = aliases_by_field().get(field)
    return spellings[0] if spellings else field


def header_key(text: str) -> str:
    """Loose comparison key for header text: NFC, case-folded, whitespace collapsed.

    Kept deliberately simpler than the reader's matching: feedback only uses it to find, among
    a column's top cells, the header the district actually wrote.
    """
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def is_alias_of(text: str, field: str) -> bool:
    """True when ``text`` is one of the accepted spellings of ``field``."""
    key = header_key(text)
    return any(header_key(alias) == key for alias in aliases_by_field().get(field, ()))
