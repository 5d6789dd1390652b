"""Header aliases as data: ``column_aliases.csv`` maps header spellings to canonical fields.

A new spelling seen in a district's file is a new CSV line, never a code branch. Headers are
compared by ``match_key`` (case, tone placement, punctuation and spacing folded), so the CSV
holds one line per *wording*, not per way of typing it.
"""

from __future__ import annotations

import csv
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ocop_etl.extract.phrases import texts_without
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


# Every byte that is not an ASCII letter or digit, for bytes.translate(None, delete=…).
_NOT_ASCII_ALNUM = bytes(b for b in range(256) if not (b < 128 and chr(b).isalnum()))


def ascii_alnum(text: str) -> bytes:
    """The ASCII letters (lower-cased) and digits of ``text``, in C: no loop per character."""
    return text.encode("ascii", "ignore").lower().translate(None, _NOT_ASCII_ALNUM)


def key_bases(key: str) -> bytes:
    """The ASCII letters and digits a key's characters are built on ("hòa" → b"hoa")."""
    return ascii_alnum("".join(unicodedata.normalize("NFD", ch)[0] for ch in key))


@lru_cache(maxsize=1)
def _bases_by_field() -> dict[str, bytes]:
    """{field: every ASCII letter/digit its aliases' keys are built on}."""
    bases: dict[str, set[int]] = {}
    for key, alias in alias_table().items():
        bases.setdefault(alias.field, set()).update(key_bases(key))
    return {f: bytes(sorted(b)) for f, b in bases.items()}


@lru_cache(maxsize=64)
def _ruled_out_chars(field: str) -> str | None:
    """ASCII letters/digits no alias key of ``field`` is built on; None: the field has none."""
    allowed = _bases_by_field().get(field)
    if allowed is None:
        return None
    return "".join(
        ch for ch in string.ascii_letters + string.digits if ord(ch.lower()) not in allowed
    )


def alias_candidates(texts: Iterable[str], field: str) -> list[str]:
    """The texts that may be an alias of ``field``: a superset of those that are, found cheaply.

    Asked for every column of the data area (is a header repeated on a new page?), where
    building ``match_key`` for each distinct product, producer and address was the reader's
    largest cost. Ruling a text out is exact, not a heuristic: every ASCII letter or digit of
    a text survives into its ``match_key`` as a character built on it (cleaning only rewrites
    non-ASCII characters and spacing; casefold lower-cases it; NFC only attaches following
    marks to it, no composition has it as a second part; tone moves and punctuation-to-space
    keep letters and digits). So a text with a letter or digit that none of the field's alias
    keys is built on cannot have one of their keys — "Nước mắm Nam Ô" has an 'r', which no
    spelling of "Tên sản phẩm" has. tests/unit/extract/test_alias_prefilter.py checks it.
    """
    ruled_out = _ruled_out_chars(field)
    return [] if ruled_out is None else texts_without(texts, ruled_out)


@lru_cache(maxsize=1)
def _ruled_out_for_every_field() -> str:
    """ASCII letters/digits that no alias key of any field is built on."""
    allowed = set().union(*_bases_by_field().values())
    return "".join(
        ch for ch in string.ascii_letters + string.digits if ord(ch.lower()) not in allowed
    )


def header_candidates(texts: Iterable[str]) -> list[str]:
    """The texts that may be an alias of some field: ``lookup`` is None for all the others.

    The rule of ``alias_candidates`` for every field at once: a text with a letter or digit
    that no alias key is built on ("Dừa sáp" has a 'D', "72,5" a '7') is ruled out for each
    field, so it matches none. For the header search, which looks up every cell of a sheet's
    first rows (mostly data: names, numbers, dates) without this.
    """
    return texts_without(texts, _ruled_out_for_every_field())


def is_alias_of(text: str, field: str) -> bool:
    """``lookup(text)`` is an alias of ``field`` (ruled out early, see ``alias_candidates``)."""
    if not alias_candidates([text], field):
        return False
    alias = lookup(text)
    return alias is not None and alias.field == field
