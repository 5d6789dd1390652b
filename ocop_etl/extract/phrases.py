"""Vietnamese phrases that mark titles, sections, totals, notes and signatures in a report.

Officials type these in capitals or not, with or without diacritics ("HUYỆN", "Huyen"), with
"UBND"/"ỦY BAN NHÂN DÂN"/"UỶ BAN…". Patterns are therefore written once, unaccented and in
lower case, and run on a *position-preserving* fold of the cleaned text: every character maps
to exactly one character (marks stripped, lower-cased, punctuation → space). A match span in
the fold is the same span in the cleaned text, so values are cut from the text as written
("HUYỆN THĂNG BÌNH"), never rebuilt from the fold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import filterfalse

from ocop_etl.transforms.text import strip_marks


class _FoldTable(dict[int, str]):
    """Character → its fold, computed the first time a character is seen (str.translate)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        bare = strip_marks(ch).lower()
        if len(bare) != 1:  # a character whose lower case is longer (rare): keep as is
            bare = ch
        folded = bare if bare.isalnum() else " "
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Same length as ``text``: 'Nhóm: Đồ uống' → 'nhom  do uong'."""
    return text.translate(_FOLD)


@lru_cache(maxsize=64)
def _any_of(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(chars)}]")


def texts_without(texts: Iterable[str], chars: str) -> list[str]:
    """The non-empty ``texts`` that contain none of ``chars`` (one C-level search each).

    For ruling out most of a sheet's distinct texts before a costlier exact check.
    """
    # filterfalse calls the search from C; the comprehension only sees the few survivors.
    return [t for t in filterfalse(_any_of(chars).search, texts) if t]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- section rows and sheet/title carry-downs ---------------------------------------------------

# A row label in its own cell or in front of the text: "I", "II.", "1.", "a)", "A -".
LABEL_CELL = _rx(r"^\s*(?:[ivxlc]{1,5}|[a-z]|\d{1,3})\s*$")
# Inline labels need their punctuation ("I.", "A)", "2 -"), so it runs on the text, not the fold:
# "A Lưới" is a place, "H. Thăng Bình" a district.
INLINE_LABEL = _rx(r"^\s*(?:[IVXivx]{1,5}|[A-Ga-g]|\d{1,2})\s*[.):\-–]\s*")

# "Sản phẩm đạt 4 sao", "DANH SÁCH SẢN PHẨM ĐẠT 4 SAO", "Hạng 3 sao", "4 SAO", "Tiềm năng 5 sao".
STARS_SECTION = _rx(
    r"^\s*(?:danh sach\s+)?(?:cac\s+)?(?:san pham\s+)?(?:ocop\s+)?"
    r"(?:(?:dat|duoc cong nhan|xep hang|phan hang|hang|cong nhan)\s+)*"
    r"(?P<potential>tiem nang\s+)?(?P<stars>[1-5])\s*sao\b"
)
# Any "N sao" in a sheet name or title line; "từ 3 sao trở lên" is a range, not a class.
STARS_ANYWHERE = _rx(r"(?<![\d])(?P<stars>[1-5])\s*sao\b")
STARS_RANGE = _rx(r"\btu\s+[1-5]\s*sao|\btro len\b|\bden\s+[1-5]\s*sao")
DISTRICT_SECTION = _rx(r"^\s*(?:huyen|thi xa|thanh pho|quan|tx|tp|h)\s+\S")
GROUP_SECTION = _rx(r"^\s*(?:phan nhom|nhom|nganh hang)\b(?:\s+san pham\b)?\s*")

# --- rows that are not products -----------------------------------------------------------------

TOTAL = _rx(
    r"^\s*(?:tong cong|tong so|tong|cong)(?:\s+(?:co|so|la|gom))?(?:\s+\d+)?"
    r"(?:\s+(?:san pham|sp))?(?:\s+ocop)?\s*$"
)
# Every letter of a TOTAL match is one of these (the fold keeps positions and maps an ASCII
# letter to its lower case), so a text with any other ASCII letter is not a total.
NOT_IN_TOTALS = "".join(
    ch for ch in "abcdefghijklmnopqrstuvwxyz" if ch not in "tongcsalgmph"
)
NOT_IN_TOTALS += NOT_IN_TOTALS.upper()
NOTE = _rx(r"^\s*ghi chu\b")
# Signature block and the "place, date" line above it: the table has ended.
SIGNATURE = _rx(
    r"^\s*(?:nguoi lap(?: bieu)?|kt\s+(?:chu tich|giam doc|truong)|tm\s+(?:uy ban|ubnd)"
    r"|pho chu tich|chu tich|noi nhan|da ky|pho giam doc|giam doc|truong phong|thu truong"
    r"|xac nhan|lanh dao)\b"
)
PLACE_DATE = _rx(r"\bngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}\b")

# --- title block: reporting unit and period -----------------------------------------------------

PROVINCE_UNIT = _rx(r"^\s*(?:ubnd|uy ban nhan dan)\s+tinh\s+(?P<name>\S.*)$")
CITY_UNIT = _rx(r"^\s*(?:ubnd|uy ban nhan dan)\s+(?:thanh pho|tp)\s+(?P<name>\S.*)$")
DISTRICT_UNIT = _rx(r"^\s*(?:ubnd|uy ban nhan dan)\s+(?:huyen|thi xa|quan|tx)\s+(?P<name>\S.*)$")
# "… trên địa bàn tỉnh Quảng Nam" / "… huyện Thăng Bình" inside a title line.
AREA_PROVINCE = _rx(r"\btren dia ban\s+tinh\s+(?P<name>\S.*?)\s*(?:nam\s+\d{4}.*)?$")
AREA_DISTRICT = _rx(
    r"\btren dia ban\s+(?:huyen|thi xa|quan)\s+(?P<name>\S.*?)\s*(?:nam\s+\d{4}.*)?$"
)
# Cities ranked as provinces: "UBND THÀNH PHỐ ĐÀ NẴNG" is provincial, "UBND THÀNH PHỐ HỘI AN"
# is a district-level city.
CENTRAL_CITIES = frozenset({"ha noi", "ho chi minh", "da nang", "hai phong", "can tho", "hue"})

YEAR_AFTER_NAM = _rx(r"\bnam\s+(?P<year>20\d\d)\b")
ANY_YEAR = _rx(r"(?<!\d)(?P<year>20\d\d)(?!\d)")
ROUND = _rx(r"\bdot\s*(?P<round>\d{1,2}|iv|v|i{1,3})\b")
DECISION_LINE = _rx(r"\bquyet dinh\b|\bqd\b|\bkem theo\b")
# Dates keep their separators, so this one runs on the text itself, not on the fold.
NUMERIC_DATE = _rx(r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?P<year>20\d\d)(?!\d)")
WORDY_DATE = _rx(r"\bngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+(?P<year>20\d\d)\b")
TITLE_LINE = _rx(r"^\s*(?:danh sach|ket qua|bao cao|tong hop|bang tong hop)\b")
# National motto lines that sit in every title block and say nothing about the report.
MOTTO = _rx(r"^\s*(?:cong hoa xa hoi chu nghia|doc lap\s+tu do)")

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
