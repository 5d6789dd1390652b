"""Test-only encoders: Unicode → TCVN3 / VNI text as openpyxl/xlrd would hand it to us.

Built as the inverse of the production tables, so a round trip through them checks that the
decoder is a bijection on every letter the names use, not that a table agrees with itself.
The hand-written examples from vietnamese-text.md §1.3 pin the tables to the real encodings.
"""

from __future__ import annotations

import unicodedata

from ocop_etl.transforms.legacy_fonts import TCVN3_TABLE, VNI_PAIRS, VNI_SINGLES

# Bytes the table leaves out decode to themselves (0xFD is ý in both Latin-1 and TCVN3).
_TO_TCVN3 = {TCVN3_TABLE.get(chr(b), chr(b)): chr(b) for b in range(0xA0, 0x100)}
_TO_VNI = {uni: legacy for legacy, uni in VNI_SINGLES.items()}
# Keep the canonical spelling: the mark byte in the same case as the base letter.
_TO_VNI.update(
    {uni: legacy for legacy, uni in VNI_PAIRS.items() if legacy[0].islower() == legacy[1].islower()}
)


class NotEncodable(ValueError):
    """The text has a letter the legacy encoding cannot represent (e.g. TCVN3 capital Ặ)."""


def _encode(text: str, table: dict[str, str], name: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 0x80:
            out.append(ch)
        elif ch in "ìíÌÍ" and name == "vni":
            out.append(ch)  # VNI bytes 0xEC/0xED/0xCC/0xCD are these very letters
        else:
            raise NotEncodable(f"{ch!r} has no {name} byte")
    return "".join(out)


def to_tcvn3(text: str) -> str:
    return _encode(text, _TO_TCVN3, "tcvn3")


def to_vni(text: str) -> str:
    return _encode(text, _TO_VNI, "vni")
