"""Reading administrative-unit names as officials type them: prefixes, numbers, keys.

A report cell such as "TP.Hội An", "H. Thăng Bình", "TT Hà Lam", "xa Que Xuan 2" or
"Phường 01" carries two things: the unit *type* (Thành phố, Huyện, Thị trấn, Xã, Phường) and
the *name*. The type is kept apart because it disambiguates same-name units inside one parent
(Thị trấn Tân Thạnh / Xã Tân Thành) but is not trusted blindly: huyện become thị xã and xã become
phường, and reports keep the old word for years.

Keys:
- ``exact_key``: case-folded, tone placement unified, punctuation and spaces dropped, numbers
  without leading zeros, a trailing roman numeral turned into digits ("Quế Xuân II" = "Quế Xuân 2").
  Diacritics are kept: "Tân Thạnh" and "Tân Thành" are different communes.
- ``loose_key``: ``exact_key`` without marks; only used together with ``marks_compatible``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal, NamedTuple

from ocop_etl.transforms.text import clean_text, match_key, strip_marks

Level = Literal["province", "district", "commune"]

_ROMAN = {
    r: i for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"), 1)
}


class ParsedName(NamedTuple):
    """One reading of a cell: the unit type written (None if none) and the bare name."""

    unit_type: str | None
    name: str


# (pattern on the case-folded cell, unit type). Accented words must match with their accents
# ("Xà Phìn" is a name, "Xã Phìn" a commune); unaccented words are typed without any accent.
# Abbreviations need a dot, a space or a digit after them so that names are not cut.
_SEP = r"(?:\s*\.\s*|\s+|\s*-\s*)"
_PREFIXES: dict[Level, tuple[tuple[re.Pattern[str], str], ...]] = {
    "province": (
        (re.compile(rf"^(?:tỉnh|tinh){_SEP}"), "Tỉnh"),
        (re.compile(rf"^(?:thành phố|thanh pho){_SEP}"), "Thành phố"),
        # "TP.HCM", "TPHCM", "Tp Hà Nội": no province name starts with "tp".
        (re.compile(rf"^tp(?:{_SEP})?"), "Thành phố"),
        (re.compile(r"^t\s*\.\s*"), "Tỉnh"),
    ),
    "district": (
        (re.compile(rf"^(?:huyện|huyen){_SEP}"), "Huyện"),
        (re.compile(r"^h\s*\.\s*"), "Huyện"),
        (re.compile(rf"^(?:quận|quan){_SEP}"), "Quận"),
        (re.compile(r"^q(?:\s*\.\s*|\s*(?=\d))"), "Quận"),
        (re.compile(rf"^(?:thị xã|thi xa){_SEP}"), "Thị xã"),
        (re.compile(rf"^tx(?:{_SEP}|(?=\w))"), "Thị xã"),
        (re.compile(rf"^(?:thành phố|thanh pho){_SEP}"), "Thành phố"),
        (re.compile(rf"^tp(?:{_SEP}|(?=\w))"), "Thành phố"),
    ),
    "commune": (
        (re.compile(rf"^(?:xã|xa){_SEP}"), "Xã"),
        (re.compile(r"^x\s*\.\s*"), "Xã"),
        (re.compile(rf"^(?:phường|phuong){_SEP}"), "Phường"),
        # "P.1", "P1", "P. Sơn Phong"; "F1" is Saigon slang for Phường 1.
        (re.compile(r"^p(?:\s*\.\s*|\s*(?=\d))"), "Phường"),
        (re.compile(r"^f\s*(?=\d)"), "Phường"),
        (re.compile(rf"^(?:thị trấn|thi tran){_SEP}"), "Thị trấn"),
        (re.compile(rf"^tt(?:{_SEP})"), "Thị trấn"),
        (re.compile(rf"^(?:đặc khu|dac khu){_SEP}"), "Đặc khu"),
    ),
}


def parse_name(raw: str | None, level: Level) -> tuple[ParsedName, ...]:
    """Readings of a cell, most likely first: (type, name) with the prefix cut, then the whole.

    The whole cell is kept as a fallback reading because an unaccented prefix may be part of a
    name ("xa" could start a name typed without accents); the resolver tries readings in order.

    >>> parse_name("TP.Hội An", "district")[0]
    ParsedName(unit_type='Thành phố', name='Hội An')
    >>> parse_name("TT Hà Lam", "commune")[0]
    ParsedName(unit_type='Thị trấn', name='Hà Lam')
    """
    text = clean_text(raw)
    if text is None:
        return ()
    return parse_clean_name(text, level)


# The same district and commune spellings come back in every report of a district.
@lru_cache(maxsize=65536)
def parse_clean_name(text: str, level: Level) -> tuple[ParsedName, ...]:
    """``parse_name`` of a cell already passed through ``clean_text`` (and not empty)."""
    folded = unicodedata.normalize("NFC", text.casefold())
    readings: list[ParsedName] = []
    for pattern, unit_type in _PREFIXES[level]:
        m = pattern.match(folded)
        if m and m.end() < len(text):
            # Cut the same number of characters from the original (casefold of Vietnamese
            # letters keeps lengths), so the name keeps its capitals for messages.
            readings.append(ParsedName(unit_type, text[m.end() :].strip(" .-")))
            break
    readings.append(ParsedName(None, text))
    return tuple(r for r in readings if r.name)


def _number_words(words: list[str], original: str) -> list[str]:
    out = [(w.lstrip("0") or "0") if w.isdigit() else w for w in words]
    # A trailing roman numeral only when typed in capitals after a real name ("Quế Xuân II"):
    # a lower-case "i"/"v" at the end is more likely a typo than a number.
    last_raw = original.split()[-1] if original.split() else ""
    if len(out) >= 2 and last_raw.strip(".") in _ROMAN:
        out[-1] = str(_ROMAN[last_raw.strip(".")])
    return out


# Unit names repeat a lot (Tân Thành ×32) and report cells even more: keys are cached.
@lru_cache(maxsize=65536)
def exact_key(name: str) -> str:
    """Accent-preserving comparison key of a bare name.

    >>> exact_key("Phường 01") == exact_key("phường 1")
    True
    >>> exact_key("Quế Xuân II") == exact_key("quế xuân 2")
    True
    >>> exact_key("Thuận Hoà") == exact_key("THUẬN HÒA")
    True
    """
    text = clean_text(name) or ""
    return "".join(_number_words(match_key(text).split(), text))


@lru_cache(maxsize=65536)
def loose_key(name: str) -> str:
    """``exact_key`` without any mark (đ → d): "Đắk Lắk" and "Dak lak" share it."""
    return strip_marks(exact_key(name))


def is_unaccented(key: str) -> bool:
    """True when the key carries no Vietnamese mark at all (typed on an ASCII keyboard)."""
    return key.isascii()


# Called for every loose-key candidate of every distinct cell; official keys recur constantly.
@lru_cache(maxsize=65536)
def _letter_marks(key: str) -> tuple[tuple[str, frozenset[str]], ...]:
    out: list[tuple[str, frozenset[str]]] = []
    for ch in unicodedata.normalize("NFD", key):
        if unicodedata.combining(ch) and out:
            base, marks = out[-1]
            out[-1] = (base, marks | {ch})
        elif ch == "đ":
            out.append(("d", frozenset({"stroke"})))
        else:
            out.append((ch, frozenset()))
    return tuple(out)


def marks_compatible(typed: str, official: str) -> bool:
    """True when ``typed`` is ``official`` with some marks *missing*, never with others added.

    "Đak Pơ" fits "Đăk Pơ" (breve left out) and "Tan Thanh" fits anything, but "Tân Thạnh"
    does not fit "Tân Thành": both are complete, different names. Both arguments are exact keys
    with equal loose keys, so they align letter by letter.

    >>> marks_compatible(exact_key("Đak Pơ"), exact_key("Đăk Pơ"))
    True
    >>> marks_compatible(exact_key("Tân Thạnh"), exact_key("Tân Thành"))
    False
    """
    a, b = _letter_marks(typed), _letter_marks(official)
    if len(a) != len(b):
        return False
    return all(ba == bb and ma <= mb for (ba, ma), (bb, mb) in zip(a, b, strict=True))


class TitleUnit(NamedTuple):
    """The reporting unit named in a title block: level, type word and bare name."""

    level: Level
    unit_type: str
    name: str


# Province-level cities: "UBND THÀNH PHỐ ĐÀ NẴNG" is a province, "UBND THÀNH PHỐ HỘI AN" a
# district. Huế counts as province (centrally run since 2025-01-01; before that the title
# would read "UBND TỈNH THỪA THIÊN HUẾ").
_CENTRAL_CITIES = frozenset({"hanoi", "hochiminh", "hcm", "haiphong", "danang", "cantho", "hue"})
_TITLE = re.compile(
    r"(?:ubnd|uỷ ban nhân dân|ủy ban nhân dân|uy ban nhan dan)\s+"
    r"(tỉnh|tinh|thành phố|thanh pho|tp\.?|huyện|huyen|quận|quan|thị xã|thi xa|tx\.?)\s+"
    r"([^\n\r,;:()]+)"
)
_TITLE_TYPES: dict[str, tuple[Level | None, str]] = {
    "tỉnh": ("province", "Tỉnh"),
    "tinh": ("province", "Tỉnh"),
    "thành phố": (None, "Thành phố"),
    "thanh pho": (None, "Thành phố"),
    "tp": (None, "Thành phố"),
    "huyện": ("district", "Huyện"),
    "huyen": ("district", "Huyện"),
    "quận": ("district", "Quận"),
    "quan": ("district", "Quận"),
    "thị xã": ("district", "Thị xã"),
    "thi xa": ("district", "Thị xã"),
    "tx": ("district", "Thị xã"),
}


def parse_unit_from_title(text: str) -> TitleUnit | None:
    """Find "UBND TỈNH X" / "UBND HUYỆN Y" / "UBND THỊ XÃ Z" / "UBND THÀNH PHỐ …" in a title.

    >>> parse_unit_from_title("UBND TỈNH QUẢNG NAM")
    TitleUnit(level='province', unit_type='Tỉnh', name='QUẢNG NAM')
    >>> parse_unit_from_title("UBND THÀNH PHỐ HỘI AN\\nPHÒNG KINH TẾ")
    TitleUnit(level='district', unit_type='Thành phố', name='HỘI AN')
    """
    cleaned = clean_text(text.replace("\n", " \n ")) if text else None
    if cleaned is None:
        return None
    # clean_text turns newlines into spaces; cut at the usual second title line instead.
    cleaned = re.split(r"\s+(?:PHÒNG|SỞ|HỘI ĐỒNG|CỘNG HÒA|CỘNG HOÀ)\b", cleaned)[0]
    folded = unicodedata.normalize("NFC", cleaned.casefold())
    m = _TITLE.search(folded)
    if not m:
        return None
    level, unit_type = _TITLE_TYPES[m.group(1).rstrip(".")]
    name = cleaned[m.start(2) : m.end(2)].strip(" .-")
    if not name:
        return None
    if level is None:
        level = "province" if loose_key(name) in _CENTRAL_CITIES else "district"
    return TitleUnit(level, unit_type, name)
