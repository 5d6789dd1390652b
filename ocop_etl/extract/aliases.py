"""Header aliases as data: ``column_aliases.csv`` maps header spellings to canonical fields.

A new spelling seen in a district's file is a new CSV line, never a code branch. Headers are
compared by ``match_key`` (case, tone placement, punctuation and spacing folded), so the CSV
holds one line per *wording*, not per way of typing it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ocop_etl.schemas import columns
from ocop_etl.transforms.text import match_key

ALIASES_CSV = Path(__file__).with_name("column_aliases.csv")


@dataclass(frozen=True)
class Alias:
    field: str
    template: str  # "any", or the template version this wording belongs to


@lru_cache(maxsize=1)
def alias_table() -> dict[str, Alias]:
    """{match_key(alias): Alias}; fails loudly if the CSV names an unknown field."""
    table: dict[str, Alias] = {}
    with ALIASES_CSV.open(encoding="utf-8", newline="") as fh:
        for line in csv.DictReader(fh):
            field = line["field"].strip()
            if field not in columns.RAW_FIELDS:
                raise ValueError(f"{ALIASES_CSV.name}: unknown field {field!r}")
            table[match_key(line["alias"])] = Alias(field, line["template"].strip() or "any")
    return table


def lookup(header_text: str | None) -> Alias | None:
    """The alias a header cell matches exactly (after key folding), or None."""
    if not header_text:
        return None
    return alias_table().get(match_key(header_text))
