"""How much of a district's file we are willing to read: every safety limit, in one place.

A workbook is untrusted input. A 60 KB ``.xlsx`` can make a spreadsheet library allocate tens of
gigabytes — measured with python-calamine 0.9, which loads a sheet part completely and builds a
*dense* grid:

- a zip bomb: a 2 MB file holding a 2 GB sheet part (whitespace compresses 1000:1);
- a sparse grid: two cells, ``A1`` and ``XFD1048576``, make calamine allocate 17 billion
  cells and abort the whole process (a Rust allocation failure cannot be caught);
- a shared-string bomb: one 1 MB shared string referenced by 30,000 cells is copied into
  every cell (30 GB).

So before calamine sees an OOXML/ODS file, :func:`check_package` streams every ZIP member once
(decompressing it ourselves, so a member's *declared* size cannot lie) and measures what the
reader would build: bytes after decompression, compression ratio, sheet count, the grid each
sheet spans (from its valued cells' references), and the longest shared string times the
cells that reference shared strings. Anything over a limit rejects the file with a stable code
*before* any allocation happens. ``workbook.py`` then enforces the per-sheet and per-cell limits
on what calamine returns (also for ``.xls``, whose BIFF grid is capped at 65,536 × 256 anyway).

XML entity declarations (billion laughs) are refused outright: calamine (quick-xml) does not
expand them and errors, defusedxml refuses them in our own scan, and openpyxl — used for legacy
fonts and feedback copies — parses through defusedxml because it is installed (a test checks).

The limits are configurable (``OCOP_MAX_FILE_MB`` … in ``ocop_etl.config.Settings``); the
defaults are far above any real OCOP report (a province's report is < 2 MB, < 5,000 rows).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from operator import itemgetter
from typing import TYPE_CHECKING

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ocop_etl.errors import FileRejected

if TYPE_CHECKING:
    from ocop_etl.config import Settings

MB = 1024 * 1024

# Whole-file rejections for exceeding a limit: such a file may be a bomb, so nothing after
# the reader (the feedback copy above all) may open it again.
LIMIT_CODES = frozenset(
    {"file.too_large", "file.zip_bomb", "file.too_many_sheets", "file.sheet_too_big", "cell.too_long"}
)


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds on one file; exceeding any rejects the file (never a partial read)."""

    max_file_bytes: int = 50 * MB
    # Sum of all ZIP members after decompression, plus shared strings expanded into cells.
    max_uncompressed_bytes: int = 256 * MB
    # Per member, checked only for members above ``ratio_floor_bytes`` (small parts can't hurt).
    max_compression_ratio: float = 200.0
    ratio_floor_bytes: int = 4 * MB
    max_sheets: int = 100
    max_sheet_rows: int = 100_000
    max_sheet_cells: int = 5_000_000  # rows × columns of the grid a sheet spans from A1
    max_cell_chars: int = 32_767  # Excel's own maximum for one cell

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            max_file_bytes=int(settings.max_file_mb * MB),
            max_uncompressed_bytes=int(settings.max_uncompressed_mb * MB),
            max_compression_ratio=settings.max_compression_ratio,
            max_sheets=settings.max_sheets,
            max_sheet_rows=settings.max_sheet_rows,
            max_sheet_cells=settings.max_sheet_cells,
            max_cell_chars=settings.max_cell_chars,
        )

    def describe(self) -> dict[str, str]:
        """The limits as operators read them (README table, reliability report)."""
        return {
            "file size": f"{self.max_file_bytes / MB:g} MB",
            "uncompressed size": f"{self.max_uncompressed_bytes / MB:g} MB",
            "compression ratio": f"{self.max_compression_ratio:g}:1",
            "sheets": f"{self.max_sheets:,}",
            "rows per sheet": f"{self.max_sheet_rows:,}",
            "cells per sheet": f"{self.max_sheet_cells:,}",
            "characters per cell": f"{self.max_cell_chars:,}",
        }


@cache
def configured_limits() -> ReadLimits:
    """The limits from the environment / .env, read once per process on first use."""
    from ocop_etl.config import Settings

    return ReadLimits.from_settings(Settings())


def _mb(n: int) -> str:
    return f"{n / MB:,.1f}"


def check_file_size(size: int, limits: ReadLimits) -> None:
    if size > limits.max_file_bytes:
        raise FileRejected("file.too_large", size_mb=_mb(size), limit_mb=_mb(limits.max_file_bytes))


# --- ZIP packages (.xlsx/.xlsm/.ods) ---------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_MAGIC = 0x04034B50
_CHUNK = 1 << 20

# Start tags are read the way calamine's XML parser reads them, because what it accepts is
# what it allocates for. Checked against calamine: attributes are name="value" or
# name='value', with or without spaces around '=' and between attributes; a quoted value may
# hold anything but its quote, '/', '>' and '<' included; references may be lower case.
# Reading a tag as "everything up to '>' without '/'" let a cell hide behind x="/" (or
# r='…', r = "…", r="xfd1…") and then made calamine allocate a 17-billion-cell grid, which
# aborts the process. Every quantifier is possessive and '<' cannot start an attribute name,
# so a match attempt never backtracks and stops at the first byte that is not part of a tag:
# the scan stays linear whatever the part holds (an unclosed "<c <c <c …" was quadratic).
# Accepting more than calamine does only over-counts, which is the safe side.
_OTHER_ATTR = rb"""[^\s=/>"'<]++\s*+=\s*+(?:"[^"]*+"|'[^']*+')"""
# A valued cell's start tag; groups: its reference and its t="s", each with its quotes
# (which the letter and digit passes below skip). A self-closing ``<c r="A5" s="1"/>`` is
# formatting only: calamine allocates nothing for it.
_CELL = (
    rb"""<%(p)sc\b(?:\s*+(?:r\s*+=\s*+("[^"]*+"|'[^']*+')"""
    rb"""|t\s*+=\s*+("s"|'s')|""" + _OTHER_ATTR + rb"""))*+\s*+>"""
)
_ROW = rb"""<%(p)srow\b(?:\s*+(?:r\s*+=\s*+("[^"]*+"|'[^']*+')|""" + _OTHER_ATTR + rb"""))*+\s*+/?>"""
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
# The longest prefix of a chunk made of whole tokens: text, comments, CDATA and complete
# tags (quotes respected). What follows it is a tag cut by the chunk boundary (or broken
# XML): it is carried into the next chunk, never scanned in two halves.
_WHOLE_TOKENS = re.compile(
    rb"""(?:[^<]++|<!--(?:[^-]++|-(?!->))*+-->|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+\]\]>"""
    rb"""|<(?:[^"'<>]++|"[^"]*+"|'[^']*+')*+>)*+"""
)
MAX_TAG_BYTES = _CHUNK  # no real start tag, comment or CDATA section comes near 1 MB
# A sheet holds thousands of cells, so they are not measured one by one in Python: the
# references found are joined, and their column letters (upper-cased) and row numbers are the
# maximal runs of letters and of digits in them. Each is read in two C passes: translate
# every other byte into a space, then split — several times cheaper than a regex findall,
# with the same runs. A run of more than 3 letters or 7 digits is beyond any limit.
_LETTER_RUNS = bytes(b - 32 if 97 <= b <= 122 else b if 65 <= b <= 90 else 32 for b in range(256))
_DIGIT_RUNS = bytes(b if 48 <= b <= 57 else 32 for b in range(256))
_BEYOND = 10**9


def _letter_runs(text: bytes) -> list[bytes]:
    """The maximal runs of ASCII letters in ``text``, upper-cased: b"a1:Bc2" → [b"A", b"BC"]."""
    return text.translate(_LETTER_RUNS).split()


def _digit_runs(text: bytes) -> list[bytes]:
    """The maximal runs of ASCII digits in ``text``: b"A10:B2" → [b"10", b"2"]."""
    return text.translate(_DIGIT_RUNS).split()


def _column_number(letters: bytes) -> int:
    if len(letters) > 3:
        return _BEYOND
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _row_number(digits: bytes) -> int:
    # int() of a huge digit run would raise (and cost); it is over every limit anyway.
    return _BEYOND if len(digits) > 7 else int(digits)


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


@dataclass
class _SheetExtent:
    max_row: int = 0
    max_col: int = 0
    max_row_tag: int = 0  # from <row r="N"> (used only if some cells carry no reference)
    cells: int = 0
    cells_without_ref: int = 0
    shared_refs: int = 0

    patterns: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None

    def feed(self, text: bytes) -> None:
        """Measure ``text``: whole tags only (``scan_part`` cuts chunks between tokens)."""
        if self.patterns is None:
            root = _ROOT.search(text)
            prefix = re.escape(root.group(1)) if root and root.group(1) else b""
            self.patterns = (
                re.compile(_CELL % {b"p": prefix}),
                re.compile(_ROW % {b"p": prefix}),
            )
        cell, row = self.patterns
        found = cell.findall(text)  # per valued cell: (its r="…", its t="s"), b"" if absent
        if found:
            refs = list(map(_FIRST, found))
            shared = list(map(_SECOND, found))
            self.cells += len(found)
            self.cells_without_ref += refs.count(b"")
            self.shared_refs += len(shared) - shared.count(b"")
            self._feed_refs(b" ".join(refs))
        row_refs = b" ".join(row.findall(text))
        if row_refs:
            numbers = set(_digit_runs(row_refs))
            if numbers:
                self.max_row_tag = max(self.max_row_tag, *map(_row_number, numbers))

    def _feed_refs(self, refs: bytes) -> None:
        # Cells repeat their column letters and rows: convert each distinct one once.
        columns = set(_letter_runs(refs))
        if columns:
            self.max_col = max(self.max_col, *map(_column_number, columns))
        rows = set(_digit_runs(refs))
        if rows:
            self.max_row = max(self.max_row, *map(_row_number, rows))

    def grid(self) -> tuple[int, int]:
        if not self.cells_without_ref:
            return self.max_row, self.max_col
        # Cells without a reference are placed one after another in their row: the row tag
        # gives the row, and a row cannot hold more such cells than the sheet has.
        return max(self.max_row, self.max_row_tag), max(self.max_col, self.cells_without_ref)


def scan_part(chunks: Iterator[bytes], name: str) -> _SheetExtent:
    """The extent of one sheet part, fed chunk by chunk, each cut after its last whole token.

    A part that fits in one chunk (almost every report) is scanned in one piece.
    """
    extent = _SheetExtent()
    tail = b""
    pending = next(chunks, None)
    while pending is not None:
        text = tail + pending
        pending = next(chunks, None)
        if pending is None:  # the last chunk: nothing can follow a cut tag
            extent.feed(text)
            break
        match = _WHOLE_TOKENS.match(text)
        cut = match.end() if match else 0
        extent.feed(text[:cut])
        tail = text[cut:]
        if len(tail) > MAX_TAG_BYTES:
            raise FileRejected(
                "file.unreadable", detail=f"{name}: broken XML (a tag longer than 1 MB)"
            )
    return extent


def _member_chunks(data: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """The member's decompressed bytes, in chunks, never more than ``budget`` in total.

    Decompresses the raw stream itself: the sizes a ZIP declares are attacker-controlled.
    """
    (magic, _, _, method, _, _, _, _, _, name_len, extra_len) = _LOCAL_HEADER.unpack_from(
        data, info.header_offset
    )
    if magic != _LOCAL_MAGIC:
        raise FileRejected("file.unreadable", detail=f"damaged ZIP entry {info.filename}")
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    if method == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _CHUNK):
            yield bytes(raw[i : i + _CHUNK])
        return
    if method != zipfile.ZIP_DEFLATED:
        raise FileRejected("file.unreadable", detail=f"unsupported compression in {info.filename}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for i in range(0, len(raw), 1 << 16):
            pending = bytes(raw[i : i + (1 << 16)])
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                produced += len(out)
                yield out
                if produced > budget:
                    return  # the caller sees the total exceed its budget and rejects
            if inflater.eof:
                return
    except zlib.error as exc:
        raise FileRejected("file.unreadable", detail=f"damaged ZIP entry {info.filename}") from exc


def _bomb(size: int, limits: ReadLimits, detail: str) -> FileRejected:
    return FileRejected(
        "file.zip_bomb",
        size_mb=_mb(size),
        limit_mb=_mb(limits.max_uncompressed_bytes),
        detail=detail,
    )


def _longest_shared_string(chunks: Iterator[bytes]) -> tuple[int, int]:
    """(count, longest) of the shared-string table, parsed with defusedxml (no entities)."""

    class _Stream:
        def __init__(self) -> None:
            self.buffer = b""

        def read(self, n: int = -1) -> bytes:
            while len(self.buffer) < max(n, 1):
                nxt = next(chunks, None)
                if nxt is None:
                    break
                self.buffer += nxt
            out, self.buffer = (self.buffer, b"") if n < 0 else (self.buffer[:n], self.buffer[n:])
            return out

    count = longest = 0
    current = 0
    for event, elem in iterparse(_Stream(), events=("start", "end"), forbid_dtd=False):
        tag = elem.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "si":
            current = 0
        elif event == "end" and tag == "t":
            current += len(elem.text or "")
            elem.clear()
        elif event == "end" and tag == "si":
            count += 1
            longest = max(longest, current)
            elem.clear()
    return count, longest


def _counting(
    chunks: Iterator[bytes],
    counter: list[int],
    budget: int,
    total: int,
    limits: ReadLimits,
    info: zipfile.ZipInfo,
) -> Iterator[bytes]:
    for chunk in chunks:
        counter[0] += len(chunk)
        if counter[0] > budget:
            raise _bomb(total + counter[0], limits, f"{info.filename} expands beyond the limit")
        yield chunk


def _check_extent(info: zipfile.ZipInfo, extent: _SheetExtent, limits: ReadLimits) -> None:
    rows, cols = extent.grid()
    if rows > limits.max_sheet_rows or rows * cols > limits.max_sheet_cells:
        raise FileRejected(
            "file.sheet_too_big",
            sheet=info.filename.rsplit("/", 1)[-1],
            rows=f"{rows:,}",
            columns=f"{cols:,}",
            limit_rows=f"{limits.max_sheet_rows:,}",
            limit_cells=f"{limits.max_sheet_cells:,}",
        )


def check_package(data: bytes, limits: ReadLimits) -> None:
    """Reject a ZIP-based workbook whose reading would exceed ``limits`` (see module doc)."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("file.unreadable", detail=f"damaged ZIP: {exc}") from exc
    names = {m.filename for m in members}
    sheets = [m for m in members if re.fullmatch(r"xl/worksheets/[^/]+\.xml", m.filename)]
    declared_sheets = len(sheets) if "xl/workbook.xml" in names else 0
    if declared_sheets > limits.max_sheets:
        raise FileRejected("file.too_many_sheets", sheets=declared_sheets, limit=limits.max_sheets)

    total = 0
    shared_refs = 0
    longest_shared = 0
    for info in members:
        if info.is_dir():
            continue
        budget = limits.max_uncompressed_bytes - total
        counter = [0]
        chunks = _counting(_member_chunks(data, info, budget), counter, budget, total, limits, info)
        if info.filename == "xl/sharedStrings.xml":
            try:
                _, longest_shared = _longest_shared_string(chunks)
            except (DefusedXmlException, SyntaxError) as exc:
                raise FileRejected("file.unreadable", detail=f"{info.filename}: {exc}") from exc
            for _ in chunks:  # anything after the root element still counts
                pass
        elif info in sheets:
            extent = scan_part(chunks, info.filename)
            _check_extent(info, extent, limits)
            shared_refs += extent.shared_refs
        else:
            for _ in chunks:
                pass
        size = counter[0]
        if size > limits.ratio_floor_bytes and info.compress_size:
            ratio = size / info.compress_size
            if ratio > limits.max_compression_ratio:
                raise _bomb(
                    total + size,
                    limits,
                    f"{info.filename} compressed {ratio:,.0f}:1, "
                    f"limit {limits.max_compression_ratio:g}:1",
                )
        total += size
    if longest_shared > limits.max_cell_chars:
        raise FileRejected(
            "cell.too_long",
            where="sharedStrings.xml",
            chars=f"{longest_shared:,}",
            limit=f"{limits.max_cell_chars:,}",
        )
    # Every cell that references a shared string gets its own copy of the text.
    expanded = total + shared_refs * longest_shared
    if expanded > limits.max_uncompressed_bytes:
        raise _bomb(
            expanded,
            limits,
            f"{shared_refs:,} cells × shared strings of up to {longest_shared:,} characters",
        )
