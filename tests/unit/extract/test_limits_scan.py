"""The sheet-extent scan of ``check_package``: every cell calamine would allocate is measured.

``_SheetExtent.feed`` counts cells with C-level ``findall`` calls over the joined references;
``_reference_extent`` below measures the same tags one cell at a time, and the two must
agree on every input, malformed and hostile ones included. The spellings below were each
checked against calamine: it accepts them, and a cell at XFD1048576 then makes it allocate
a 17-billion-cell grid (the process aborts), so the scan must see every one of them.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_etl.errors import FileRejected
from ocop_etl.extract import limits
from ocop_etl.extract.limits import _SheetExtent, scan_part


def _reference_extent(text: bytes) -> tuple[int, int, int, int, int, int]:
    root = re.search(rb"<(\w+:)?worksheet\b", text)
    prefix = re.escape(root.group(1)) if root and root.group(1) else b""
    max_row = max_col = max_row_tag = cells = without_ref = shared = 0
    for m in re.finditer(limits._CELL % {b"p": prefix}, text):
        cells += 1
        ref = (m.group(1) or b"").upper()
        if not m.group(1):
            without_ref += 1
        for letters in re.findall(rb"[A-Z]+", ref):
            max_col = max(max_col, limits._column_number(letters))
        for digits in re.findall(rb"[0-9]+", ref):
            max_row = max(max_row, limits._row_number(digits))
        shared += bool(m.group(2))
    for m in re.finditer(limits._ROW % {b"p": prefix}, text):
        for digits in re.findall(rb"[0-9]+", m.group(1) or b""):
            max_row_tag = max(max_row_tag, limits._row_number(digits))
    return max_row, max_col, max_row_tag, cells, without_ref, shared


def _measured(text: bytes) -> tuple[int, int, int, int, int, int]:
    e = _SheetExtent()
    e.feed(text)
    return e.max_row, e.max_col, e.max_row_tag, e.cells, e.cells_without_ref, e.shared_refs


# Pieces of (mostly) sheet XML, including the odd ones: references without letters, in lower
# case or with too many digits, an 'r=' glued to another attribute name, single quotes,
# spaces around '=', several t= attributes, '/', '>' and '<' inside values, self-closing
# cells, prefixed elements and stray text.
_PIECES = st.sampled_from([
    b"<c", b"<x:c", b"<cx", b"<c>", b"<c/>", b"<row", b"<x:row", b"<x:worksheet", b"<worksheet",
    b' r="A1"', b' r="XFD1048576"', b' r="B12345678"', b' r="a1"', b' r="1"', b' r="AB"',
    b'xr="C3"', b':r="D4"', b' r="7"', b' r="Z99"', b'r="E5"', b' t="s"', b' t="str"',
    b"xt='s'", b" t='s'", b" r='F6'", b' r = "G7"', b' x="/"', b' x=">"', b' x="<c"',
    b' t="n"', b' s="1"', b">", b"/>", b"<v>1</v>", b"</c>", b"</row>", b" ", b"\n", b'"',
    b"'", b"=", b"r", b"t", b"s", b"<",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_extent_matches_a_cell_by_cell_scan(pieces: list[bytes]) -> None:
    text = b"".join(pieces)
    assert _measured(text) == _reference_extent(text)


# Reference-like bytes (letters, digits, every kind of whitespace, quotes) and any bytes.
_REFERENCE_BYTES = st.text("aZ09 \t\n\x0b\x0c\r\x1c\x85\xa0\"':r=/", max_size=40).map(
    lambda s: s.encode("latin-1")
)


@settings(max_examples=400, deadline=None)
@given(_REFERENCE_BYTES | st.binary(max_size=80))
def test_letter_and_digit_runs_are_those_findall_sees(text: bytes) -> None:
    # translate + split must give exactly the runs of the regexes they replace, whatever
    # else the bytes hold: whitespace of every kind, quotes, high bytes.
    assert limits._letter_runs(text) == re.findall(rb"[A-Z]+", text.upper())
    assert limits._digit_runs(text) == re.findall(rb"[0-9]+", text)


def test_extent_of_an_ordinary_sheet() -> None:
    text = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        b'<c r="C1" s="2" t="inlineStr"><is><t>x</t></is></c><c r="D1" s="1"/></row>'
        b'<row r="40"><c r="AB40" t="s"><v>1</v></c><c t="n"><v>2</v></c></row>'
        b"</sheetData></worksheet>"
    )
    # AB = 28; one cell without a reference; the self-closing D1 is formatting only.
    assert _measured(text) == (40, 28, 40, 4, 1, 2)
    assert _measured(text) == _reference_extent(text)


@pytest.mark.parametrize(
    "tag",
    [
        '<c r="XFD1048576" x="/" t="inlineStr">',  # a '/' in a value is not a self-closing tag
        '<c x=">" r="XFD1048576" t="inlineStr">',  # nor does a '>' in a value end the tag
        '<c r="XFD1048576" foo="a<c" t="inlineStr">',
        "<c r='XFD1048576' t='inlineStr'>",
        '<c r = "XFD1048576" t="inlineStr">',
        '<c r="XFD1048576"t="inlineStr">',
        '<c r="xfd1048576" t="inlineStr">',
    ],
)
def test_every_spelling_calamine_accepts_is_measured(tag: str) -> None:
    text = f'<worksheet><sheetData><row r="1">{tag}<is><t>x</t></is></c></row>'.encode()
    max_row, max_col, *_ = _measured(text)
    assert (max_row, max_col) == (1_048_576, 16_384)


def test_a_row_reference_is_read_in_any_spelling_calamine_accepts() -> None:
    # A cell without a reference is placed in its row: calamine reads r = '…' on the row.
    text = b"<worksheet><sheetData><row r = '1048576'><c><v>1</v></c></row>"
    assert _measured(text)[2] == 1_048_576


def test_a_reference_too_long_for_any_limit_is_over_every_limit_not_an_error() -> None:
    text = b'<worksheet><row><c r="' + b"A" * 9 + b"9" * 5000 + b'"><v>1</v></c></row>'
    max_row, max_col, *_ = _measured(text)
    assert max_row > 10**8 and max_col > 10**8


def test_a_tag_cut_by_a_chunk_boundary_is_measured_whole() -> None:
    # The boundary falls inside a quoted value that holds '>': scanning the chunk up to its
    # last '>' would cut the tag in two and lose the reference.
    head = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>'
    tag = b'<c x="' + b">" * 50 + b'" r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    data = head + tag
    split = len(head) + 20
    extent = scan_part(iter([data[:split], data[split:]]), "sheet1.xml")
    assert (extent.max_row, extent.max_col, extent.cells) == (1_048_576, 16_384, 2)


def test_a_tag_that_never_ends_is_broken_xml() -> None:
    chunks = iter([b'<worksheet><c x="' + b"a" * (limits.MAX_TAG_BYTES + 10), b'"/>'])
    with pytest.raises(FileRejected) as raised:
        scan_part(chunks, "sheet1.xml")
    assert raised.value.code == "file.unreadable"


def test_comments_and_cdata_are_whole_tokens_across_chunks() -> None:
    data = (
        b"<worksheet><!-- it's a > comment --><sheetData><row r='2'>"
        b"<c r='B2'><is><t><![CDATA[a > b ' c]]></t></is></c></row></sheetData></worksheet>"
    )
    for split in range(1, len(data)):
        extent = scan_part(iter([data[:split], data[split:]]), "sheet1.xml")
        assert (extent.max_row, extent.max_col, extent.cells) == (2, 2, 1), split
