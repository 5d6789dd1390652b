"""Pre-Unicode Vietnamese font encodings (TCVN3/ABC and VNI-Windows) → Unicode.

Old ``.xls`` reports store one byte per character and rely on a special font to draw it, so
openpyxl/xlrd hand us the bytes as Latin-1/cp1252 characters: "Hợp tác xã" comes back as
``Hîp t¸c x·`` (TCVN3, fonts ``.VnTime``, ``.VnArial``…) or ``Hôïp taùc xaõ`` (VNI, fonts
``VNI-Times``…). Python has no codec for either, hence the vendored tables below.

Detection is per *column* (or sheet), never per cell: a single short cell is ambiguous
(Spanish "Ñandú" looks like VNI, ``§¾k`` like VISCII), a column is not. The cell font is the
strongest signal; character statistics are the fallback. When in doubt we answer "unicode",
because leaving text alone is recoverable and a wrong conversion is not.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

LegacyEncoding = Literal["tcvn3", "vni"]
Encoding = Literal["unicode", "tcvn3", "vni"]

# --- TCVN3 -------------------------------------------------------------------------------------

# Bytes 0xA0-0xFF, exactly as glibc's TCVN5712-1 decodes them (a test compares every byte with
# `iconv`). The font set TCVN3/VN3 uses 74 of these positions (Ă Â Ê Ô Ơ Ư Đ, their lower case,
# and the 60 toned lower-case vowels); the rest are VN1 capitals and combining tones, which
# cannot mean anything else in a .Vn* cell.
# 0x80-0x9F are deliberately NOT mapped although VN1 puts capitals there: the .Vn* fonts do not
# draw them, and in a real cell those positions hold cp1252 punctuation (… – “ ”) that Excel's
# autocorrect inserted, which must survive as punctuation.
_TCVN3_A0_FF = (
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # A0-AF
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # B0-BF
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # C0-CF
    "éẹềểễếệìỉỄẾỒĩíịò"  # D0-DF
    "Ổỏõóọồổỗốộờởỡớợù"  # E0-EF
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # F0-FF
)
TCVN3_TABLE: dict[str, str] = {
    chr(0xA0 + i): uni for i, uni in enumerate(_TCVN3_A0_FF) if chr(0xA0 + i) != uni
}

# --- VNI-Windows -------------------------------------------------------------------------------

# VNI writes a base letter followed by a mark byte (a + ù = á, e + ä = ệ, a + é = ắ); a few
# letters are single bytes. Marks are given in lower case; the upper-case mark byte (Ù, Ä…) is
# the same mark. Table checked against xvnkb's vni.h.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONE_MARKS = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX_MARKS = {
    "â": _CIRCUMFLEX,
    "á": _CIRCUMFLEX + _ACUTE,
    "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK,
    "ã": _CIRCUMFLEX + _TILDE,
    "ä": _CIRCUMFLEX + _DOT,
}
_VNI_BREVE_MARKS = {
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
# Single-byte letters. ì (0xEC) and í (0xED) are themselves, so they need no entry.
_VNI_SINGLE_LOWER = {"ñ": "đ", "ô": "ơ", "ö": "ư", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
# Which base letters take which marks; ô and ö are the VNI bytes for ơ and ư.
_VNI_TONE_BASES = {"a": "a", "e": "e", "i": "i", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}
_VNI_CIRCUMFLEX_BASES = "aeo"
_VNI_BREVE_BASES = "a"


def _compose(base: str, marks: str) -> str:
    return unicodedata.normalize("NFC", base + marks)


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    pairs: dict[str, str] = {}
    lower_pairs: list[tuple[str, str, str]] = []  # (vni base, vni mark, unicode)
    for vni_base, uni_base in _VNI_TONE_BASES.items():
        lower_pairs += [(vni_base, m, _compose(uni_base, t)) for m, t in _VNI_TONE_MARKS.items()]
    for base in _VNI_CIRCUMFLEX_BASES:
        lower_pairs += [(base, m, _compose(base, t)) for m, t in _VNI_CIRCUMFLEX_MARKS.items()]
    for base in _VNI_BREVE_BASES:
        lower_pairs += [(base, m, _compose(base, t)) for m, t in _VNI_BREVE_MARKS.items()]
    for base, mark, uni in lower_pairs:
        # Mark bytes only ever mean a mark, so the case of the mark byte carries no meaning of
        # its own: the result takes the case of the base letter ("AÙ", "Aù" → Á; "aù" → á).
        for mark_variant in (mark, mark.upper()):
            pairs[base + mark_variant] = uni
            pairs[base.upper() + mark_variant] = uni.upper()
    singles = dict(_VNI_SINGLE_LOWER)
    singles.update({k.upper(): v.upper() for k, v in _VNI_SINGLE_LOWER.items()})
    return pairs, singles


VNI_PAIRS, VNI_SINGLES = _vni_tables()


def _decode_tcvn3(s: str) -> str:
    return "".join(TCVN3_TABLE.get(ch, ch) for ch in s)


def _decode_vni(s: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        pair = VNI_PAIRS.get(s[i : i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        out.append(VNI_SINGLES.get(s[i], s[i]))
        i += 1
    return "".join(out)


def decode_legacy(s: str, encoding: LegacyEncoding, *, uppercase: bool = False) -> str:
    """Convert one cell read from a TCVN3 or VNI font to Unicode (NFC).

    ``uppercase`` is for the ``.VnTimeH``-style fonts (name ending in H): TCVN3 has no toned
    capitals, so those fonts draw lower-case bytes as capitals and the decoded text must be
    upper-cased to read as the district saw it.

    >>> decode_legacy("Hîp t¸c x· §¾k L¾k", "tcvn3")
    'Hợp tác xã Đắk Lắk'
    >>> decode_legacy("Hôïp taùc xaõ Ñaék Laék", "vni")
    'Hợp tác xã Đắk Lắk'
    """
    decoded = _decode_tcvn3(s) if encoding == "tcvn3" else _decode_vni(s)
    decoded = unicodedata.normalize("NFC", decoded)
    return decoded.upper() if uppercase else decoded


def font_encoding(font_name: str | None) -> Encoding | None:
    """Encoding implied by a cell font name: '.VnTime' → tcvn3, 'VNI-Times' → vni."""
    if not font_name:
        return None
    name = font_name.strip().casefold()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni"):
        return "vni"
    return "unicode"


def is_uppercase_font(font_name: str | None) -> bool:
    """True for TCVN3 capital fonts (.VnTimeH, .VnArialH…), whose name ends in H."""
    if not font_name or font_encoding(font_name) != "tcvn3":
        return False
    return font_name.strip().endswith(("H", "h"))


# --- detection from characters -----------------------------------------------------------------

# Letters that exist in Unicode Vietnamese but not in Latin-1: legacy text never contains them.
# Combining tones count too, for NFD text. (U+0102-U+01B0 as a range would include ƒ, which a
# cp1252 reading of byte 0x83 produces.)
_UNICODE_VIETNAMESE = frozenset(
    "ĂăĐđĨĩŨũƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
    + "\u0300\u0301\u0303\u0309\u0323"
)
# TCVN3 bytes that are symbols in Latin-1 (§ ¸ · « …) and are rare in real text, plus the soft
# hyphen (ư) and × (ì). Letters such as Ö (ệ) are left out: Western names use them.
_TCVN3_SIGNS = frozenset("".join(chr(c) for c in range(0xA1, 0xAF)) + "µ¶·¸¹»¼½¾×")
_VNI_MARK_BYTES = frozenset(
    "".join(_VNI_TONE_MARKS) + "".join(_VNI_CIRCUMFLEX_MARKS) + "".join(_VNI_BREVE_MARKS)
)
_VNI_MARK_BYTES = _VNI_MARK_BYTES | frozenset(m.upper() for m in _VNI_MARK_BYTES)
_VNI_MARK_BASES = frozenset("aeiouyôöAEIOUYÔÖ")
_VNI_LETTERS = frozenset("ñÑöÖ")

# A legacy verdict needs this many signs in the whole column, so that one "Raúl" or one
# "© 2020" cannot convert a column.
_MIN_SIGNS = 3


def _vni_pairs(s: str) -> int:
    return sum(1 for a, b in pairwise(s) if a in _VNI_MARK_BASES and b in _VNI_MARK_BYTES)


def _cell_vote(s: str) -> tuple[Encoding | None, int]:
    """Which encoding one cell points to, and how many signs it has for it."""
    if any(ch in _UNICODE_VIETNAMESE for ch in s):
        return "unicode", 1
    tcvn3 = sum(1 for ch in s if ch in _TCVN3_SIGNS)
    pairs = _vni_pairs(s)
    # ñ/ö alone are Spanish or German; a VNI cell always has base+mark pairs as well.
    vni = pairs + sum(1 for ch in s if ch in _VNI_LETTERS) if pairs else 0
    if tcvn3 > vni:
        return "tcvn3", tcvn3
    if vni > tcvn3:
        return "vni", vni
    return None, 0


def _majority(votes: Sequence[Encoding]) -> Encoding | None:
    """The value that more than half of ``votes`` agree on, if any."""
    if not votes:
        return None
    winner, count = Counter(votes).most_common(1)[0]
    return winner if count * 2 > len(votes) else None


def detect_legacy_encoding(
    values: Sequence[str | None], font_names: Sequence[str | None] = ()
) -> Encoding:
    """Decide the encoding of a whole column from its cells (and their font names, if known).

    1. Font names: if most non-empty cells use a ``.Vn*`` font → "tcvn3", ``VNI*`` → "vni".
       ``font_names`` is aligned with ``values`` when the lengths match; otherwise it is read
       as the column's fonts on their own.
    2. Characters: each cell votes unicode (has letters like ơ, ư, ạ), tcvn3 (symbols like
       ``§ ¸ «``) or vni (vowel + mark byte like ``aù``), or abstains (ASCII, Western names).
       A legacy encoding wins only with at least two thirds of the votes and
       ``_MIN_SIGNS`` signs in total; anything else is "unicode".
    """
    if len(font_names) == len(values):
        fonts = [f for v, f in zip(values, font_names, strict=True) if v and f]
    else:
        fonts = [f for f in font_names if f]
    font_votes = [enc for enc in map(font_encoding, fonts) if enc is not None]
    by_font = _majority(font_votes)
    if by_font in ("tcvn3", "vni"):
        return by_font

    votes: Counter[Encoding] = Counter()
    signs: Counter[Encoding] = Counter()
    for value in values:
        if not value:
            continue
        vote, n_signs = _cell_vote(value)
        if vote is not None:
            votes[vote] += 1
            signs[vote] += n_signs
    if not votes:
        return "unicode"
    winner, count = votes.most_common(1)[0]
    if winner == "unicode" or signs[winner] < _MIN_SIGNS:
        return "unicode"
    if count * 3 < sum(votes.values()) * 2:
        return "unicode"
    return winner
