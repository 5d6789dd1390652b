"""Find and decode columns typed in legacy TCVN3 (.VnTime) or VNI-Windows fonts.

Such text comes back from any reader as Latin-1/cp1252 characters ("Hîp t¸c x·" for "Hợp tác
xã"). Deciding is done per *column*, never per cell: a short cell like "§¾k L¾k" fools every
content detector. The steps, cheapest first:

1. character evidence from the calamine grid: a column is *suspect* when more of its cells
   carry legacy symbols than carry real Vietnamese letters (which no legacy text can contain);
2. only for suspect columns, the workbook is opened again with openpyxl (.xlsx) or xlrd
   (.xls, ``formatting_info=True``) to read the cells' font names — the strongest signal
   (skipped for an .xlsx whose styles name no legacy font: see ``_may_name_legacy_fonts``);
3. ``detect_legacy_encoding`` decides from fonts first, then characters; ``decode_legacy``
   converts, upper-casing cells drawn with a capitals-only TCVN3 font (.VnTimeH).
   (Only suspect columns are decoded, so a Unicode column is never touched.)

A cell that already contains real Vietnamese letters is left alone even in a legacy column:
someone retyped it in Unicode, and decoding it would destroy it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from itertools import filterfalse, zip_longest

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ocop_etl.extract.fileformat import Container
from ocop_etl.extract.workbook import SheetGrid
from ocop_etl.transforms.legacy_fonts import (
    LegacyEncoding,
    decode_legacy,
    detect_legacy_encoding,
    font_encoding,
    is_uppercase_font,
)

# Letters only Unicode Vietnamese has (ă â đ ơ ư and every precomposed toned letter).
_REAL_VIETNAMESE = re.compile("[\u0102-\u01b0\u1ea0-\u1ef9]")
# TCVN3 code points as read (symbols that no Vietnamese or plain Latin-1 text uses), the soft
# hyphen that is TCVN3's ư, and VNI's vowel + tone-byte pairs and ñ/ö (đ, ư).
_LEGACY_EVIDENCE = re.compile(
    "[\u00a1-\u00a7\u00a8-\u00ae\u00b5-\u00b9\u00d7\u00ad]"
    "|[aeiouyAEIOUYôÔöÖ][\u00f9\u00f8\u00fb\u00f5\u00ef\u00e2\u00e1\u00e0\u00e5\u00e3"
    "\u00e4\u00ea\u00e9\u00e8\u00fa\u00fc\u00eb\u00d9\u00d8\u00db\u00d5\u00cf]"
    "|[ñÑöÖ]"
)


def _evidence(texts: set[str]) -> tuple[dict[str | None, int | None], set[str]]:
    """{text: 1 for real Vietnamese letters, -1 for legacy symbols, 0 for neither}, and the
    texts that are -1.

    The patterns run over the texts through ``filter`` (no Python call per text). Real
    letters are looked for first: a text that has them is 1 whatever else it holds, and the
    costlier legacy pattern then only runs on the few texts without them.
    """
    evidence: dict[str | None, int | None] = dict.fromkeys(texts, 0)
    # Both patterns need a non-ASCII character, so ASCII texts stay 0.
    non_ascii = list(filterfalse(str.isascii, texts))
    real = set(filter(_REAL_VIETNAMESE.search, non_ascii))
    evidence.update(dict.fromkeys(real, 1))
    not_real = filterfalse(real.__contains__, non_ascii)
    legacy = set(filter(_LEGACY_EVIDENCE.search, not_real))
    evidence.update(dict.fromkeys(legacy, -1))
    return evidence, legacy


def distinct_texts(grid: SheetGrid) -> set[str | None]:
    """Every distinct cell value of the grid (None included when a cell is empty)."""
    return set().union(*grid.cells)


def suspect_columns(grid: SheetGrid, texts: set[str | None] | None = None) -> list[int]:
    """Columns whose characters look legacy-encoded (cheap: no file access).

    ``texts`` is ``distinct_texts(grid)`` when the caller has it already.
    """
    # Each distinct text is looked at once; the columns then only count (in C).
    if texts is None:
        texts = distinct_texts(grid)
    evidence, legacy_texts = _evidence(texts - {None})  # type: ignore[arg-type]  # no None
    if not legacy_texts:
        return []  # no legacy symbol anywhere: no column can have more of them than letters
    evidence[None] = None  # empty cells, and zip_longest's padding of short rows
    evidence_of = evidence.__getitem__
    suspects = []
    for c, column in enumerate(zip_longest(*grid.cells)):
        if legacy_texts.isdisjoint(column):
            continue  # no legacy vote: it cannot outnumber the letters' votes
        votes = Counter(map(evidence_of, column))
        if votes[-1] > votes[1]:
            suspects.append(c)
    return suspects


def _fonts_openpyxl(data: bytes, sheet: str, columns: Sequence[int]) -> dict[tuple[int, int], str]:
    import openpyxl  # imported lazily: only files that look legacy pay for it

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        fonts: dict[tuple[int, int], str] = {}
        wanted = set(columns)
        for r, row in enumerate(book[sheet].iter_rows()):
            for cell in row:
                col = getattr(cell, "column", None)
                if col is None or col - 1 not in wanted or cell.value is None:
                    continue
                name = cell.font.name if cell.font is not None else None
                if name:
                    fonts[(r, col - 1)] = name
        return fonts
    finally:
        book.close()


def _fonts_xlrd(data: bytes, sheet: str, columns: Sequence[int]) -> dict[tuple[int, int], str]:
    import xlrd  # imported lazily: only files that look legacy pay for it

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    ws = book.sheet_by_name(sheet)
    fonts: dict[tuple[int, int], str] = {}
    for r in range(ws.nrows):
        for c in columns:
            if c < ws.row_len(r):
                xf = book.xf_list[ws.cell_xf_index(r, c)]
                fonts[(r, c)] = book.font_list[xf.font_index].name
    return fonts


def cell_fonts(
    data: bytes, container: Container, sheet: str, columns: Sequence[int]
) -> dict[tuple[int, int], str]:
    """Font name of each non-empty cell in ``columns`` ({} for .ods: fonts are not read there)."""
    if container is Container.OOXML:
        return _fonts_openpyxl(data, sheet, columns)
    if container is Container.XLS:
        return _fonts_xlrd(data, sheet, columns)
    return {}


def _may_name_legacy_fonts(data: bytes, container: Container) -> bool:
    """False only when no font a cell could be drawn with is a TCVN3/VNI font.

    Reading cell fonts means opening the whole workbook with openpyxl, yet a false suspect
    (a producer name with 'ñ' or 'ö') is far more common than a real legacy column. openpyxl
    takes every cell font from ``xl/styles.xml`` (its default font, Calibri, when the part is
    missing), so when no attribute value there names a legacy font, the fonts cannot change
    any decision: ``detect_legacy_encoding`` only acts on legacy font votes, and only legacy
    fonts are capitals-only. Anything unusual (.xls, an unparsable part) reads the fonts.
    """
    if container is not Container.OOXML:
        return True
    try:
        styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")
    except KeyError:
        return False
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return True
    try:
        root = fromstring(styles)
    except (DefusedXmlException, SyntaxError):
        return True
    return any(
        font_encoding(value) in ("tcvn3", "vni")
        for element in root.iter()
        for value in element.attrib.values()
    )


def _decode_column(
    grid: SheetGrid, c: int, encoding: LegacyEncoding, fonts: dict[tuple[int, int], str]
) -> None:
    for r, row in enumerate(grid.cells):
        value = row[c] if c < len(row) else None
        if value is None or _REAL_VIETNAMESE.search(value):
            continue
        # TCVN3 capital fonts (.VnTimeH) draw lowercase bytes as capitals.
        row[c] = decode_legacy(
            value, encoding, uppercase=is_uppercase_font(fonts.get((r, c)))
        )


def decode_legacy_columns(
    data: bytes, container: Container, grid: SheetGrid, texts: set[str | None] | None = None
) -> dict[int, str]:
    """Decode suspect columns of ``grid`` in place; returns {column index: encoding converted}.

    Each suspect column is decided on its own first. A suspect column too short to decide
    alone (a "Hạng sao" column holding "Haïng sao" and digits) takes the decision of all the
    sheet's suspect columns pooled — still many cells, never one. ``texts`` is
    ``distinct_texts(grid)`` when the caller has it already. The grid is left untouched
    when the result is empty.
    """
    suspects = suspect_columns(grid, texts)
    if not suspects:
        return {}
    fonts = (
        cell_fonts(data, container, grid.name, suspects)
        if _may_name_legacy_fonts(data, container)
        else {}  # no legacy font to find: the decisions below are the same without them
    )
    pooled_values: list[str | None] = []
    pooled_fonts: list[str | None] = []
    undecided: list[int] = []
    converted: dict[int, LegacyEncoding] = {}
    for c in suspects:
        rows = [r for r, row in enumerate(grid.cells) if c < len(row) and row[c] is not None]
        values = [grid.cells[r][c] for r in rows]
        col_fonts = [fonts.get((r, c)) for r in rows]
        pooled_values += values
        pooled_fonts += col_fonts
        encoding = detect_legacy_encoding(values, font_names=col_fonts)
        if encoding == "unicode":
            undecided.append(c)
        else:
            converted[c] = encoding
    if undecided:
        pooled = detect_legacy_encoding(pooled_values, font_names=pooled_fonts)
        if pooled != "unicode":
            converted.update(dict.fromkeys(undecided, pooled))
    for c, encoding in converted.items():
        _decode_column(grid, c, encoding, fonts)
    return {c: str(converted[c]) for c in sorted(converted)}
