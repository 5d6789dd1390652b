"""The sheet-extent scan of ``check_package`` measures exactly what a cell-by-cell scan would.

``_SheetExtent.feed`` counts cells with C-level ``findall`` calls over the joined start-tag
attributes. ``_reference_extent`` below is the straightforward one-cell-at-a-time scan it
replaced; the two must agree on every input, including malformed and hostile tags.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_etl.extract.limits import _SheetExtent


def _reference_extent(text: bytes) -> tuple[int, int, int, int, int, int]:
    root = re.search(rb"<(\w+:)?worksheet\b", text)
    prefix = re.escape(root.group(1)) if root and root.group(1) else b""
    max_row = max_col = max_row_tag = cells = without_ref = shared = 0
    for m in re.finditer(rb"<%sc\b([^>/]*)>" % prefix, text):
        attrs = m.group(1)
        cells += 1
        ref = re.search(rb'\br="([A-Z]{1,3})([0-9]{1,7})"', attrs)
        if ref is None:
            without_ref += 1
        else:
            column = 0
            for ch in ref.group(1):
                column = column * 26 + (ch - 64)
            max_col = max(max_col, column)
            max_row = max(max_row, int(ref.group(2)))
        if re.search(rb'\bt="s"', attrs):
            shared += 1
    for m in re.finditer(rb'<%srow\b[^>]*\br="([0-9]{1,7})"' % prefix, text):
        max_row_tag = max(max_row_tag, int(m.group(1)))
    return max_row, max_col, max_row_tag, cells, without_ref, shared


def _measured(text: bytes) -> tuple[int, int, int, int, int, int]:
    e = _SheetExtent()
    e.feed(text)
    return e.max_row, e.max_col, e.max_row_tag, e.cells, e.cells_without_ref, e.shared_refs


# Pieces of (mostly) sheet XML, including the odd ones: references without letters or with
# too many digits, an 'r=' glued to another attribute name, several t= attributes, a '/' in
# an attribute, self-closing cells, prefixed elements and stray text.
_PIECES = st.sampled_from([
    b"<c", b"<x:c", b"<cx", b"<c>", b"<c/>", b"<row", b"<x:row", b"<x:worksheet", b"<worksheet",
    b' r="A1"', b' r="XFD1048576"', b' r="B12345678"', b' r="a1"', b' r="1"', b' r="AB"',
    b'xr="C3"', b':r="D4"', b' r="7"', b' r="Z99"', b'r="E5"', b' t="s"', b' t="str"',
    b'xt="s"', b' t="n"', b' s="1"', b' x="/"', b">", b"/>", b"<v>1</v>", b"</c>", b"</row>",
    b" ", b"\n", b'"', b"=", b"r", b"t", b"s", b"<",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_extent_matches_a_cell_by_cell_scan(pieces: list[bytes]) -> None:
    text = b"".join(pieces)
    assert _measured(text) == _reference_extent(text)


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
