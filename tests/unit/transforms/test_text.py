"""clean_text, canonical_tones, match_key, loose_key."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.text import (
    canonical_tones,
    clean_text,
    is_missing,
    loose_key,
    match_key,
    repair_mojibake,
)

from .legacy_encoding import to_tcvn3, to_vni
from .real_names import REAL_NAMES

# --- clean_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, math.nan, float("nan"), Decimal("NaN"), "", "   ", "\u200b\ufeff"]
)
def test_empty_values_are_none(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (12.0, "12"), (72.5, "72.5"), (-3.0, "-3"), (date(2021, 7, 5), "2021-07-05")],
)
def test_non_strings_become_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected


def test_pandas_missing_markers_are_none() -> None:
    pd = pytest.importorskip("pandas")
    assert clean_text(pd.NA) is None
    assert clean_text(pd.NaT) is None
    assert is_missing(pd.NA) and is_missing(pd.NaT) and not is_missing("x")


def test_mojibake_is_repaired() -> None:
    assert clean_text("Há»£p tÃ¡c xÃ£ NÃ´ng nghiá»‡p") == "Hợp tác xã Nông nghiệp"


@pytest.mark.parametrize("name", REAL_NAMES)
def test_mojibake_repair_leaves_real_and_legacy_text_alone(name: str) -> None:
    # Unicode Vietnamese in every case, and the same names still in TCVN3/VNI form (detection
    # and conversion may happen later), must pass through ftfy unchanged.
    for text in (
        name,
        name.upper(),
        name.lower(),
        to_tcvn3(name),
        to_vni(name),
        to_vni(name.upper()),
    ):
        assert repair_mojibake(text) == text


def test_upper_case_a_tilde_before_a_space_is_not_mojibake() -> None:
    # ftfy's restore_byte_a0 would read "Ã " as "à"; in upper-case Vietnamese it is the letter Ã.
    assert clean_text("XÃ Â") == "XÃ Â"
    assert clean_text("NGÃ BA HUẾ") == "NGÃ BA HUẾ"


def test_nfd_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Hợp tác xã Nông nghiệp")
    assert clean_text(nfd) == "Hợp tác xã Nông nghiệp"


def test_icelandic_eth_becomes_vietnamese_d() -> None:
    assert clean_text("\u00d0iện Bàn \u00f0ồng") == "\u0110iện Bàn \u0111ồng"
    assert clean_text("\u00f0") == "\u0111"  # alone, ftfy would have called it Cyrillic


def test_invisible_and_exotic_spaces() -> None:
    raw = "\ufeffHTX\u00a0Nông\u202fnghiệp\u2007Quế\tXuân\nmới\u200bsạch\u200dx\u200cy\u2060z so\u00adft"
    assert clean_text(raw) == "HTX Nông nghiệp Quế Xuân mới sạchxyz soft"


def test_quotes_and_dashes_become_ascii() -> None:
    assert (
        clean_text("Cty TNHH MTV “Trà Xanh” «Ea H’Leo» ʼa‘b’")
        == "Cty TNHH MTV \"Trà Xanh\" \"Ea H'Leo\" 'a'b'"
    )
    assert clean_text("Bia – Rượu — Nước − 5") == "Bia - Rượu - Nước - 5"


def test_whitespace_collapses_and_strips() -> None:
    assert clean_text("  Công ty   CP \r\n nước khoáng  ") == "Công ty CP nước khoáng"


# --- canonical_tones -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("hoà", "hòa"),
        ("Hoà Vang", "Hòa Vang"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("toả", "tỏa"),
        ("Xã Thuận Hoà", "Xã Thuận Hòa"),
        ("Phường Nguyễn Uý", "Phường Nguyễn Úy"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("THUỶ", "THỦY"),
        ("qúy", "quý"),
        ("QÚY", "QUÝ"),
        ("rượu sim Qúy Chuẩn", "rượu sim Quý Chuẩn"),  # real typo from a Quảng Ninh list
    ],
)
def test_tone_moves_to_first_vowel_of_open_syllables(source: str, expected: str) -> None:
    assert canonical_tones(source) == expected


@pytest.mark.parametrize(
    "word", ["hoàn", "Huỳnh", "Quỳnh", "thuở", "quý", "hoài", "khuỷu", "thuyền", "hòa", "Thủy"]
)
def test_closed_and_correct_syllables_are_unchanged(word: str) -> None:
    assert canonical_tones(word) == word


def test_canonical_tones_accepts_nfd() -> None:
    assert canonical_tones(unicodedata.normalize("NFD", "thuỷ")) == "thủy"


# --- keys ----------------------------------------------------------------------------------


def test_match_key_unifies_spelling_but_not_words() -> None:
    assert match_key("Hoà Đa") == match_key("HÒA  ĐA") == "hòa đa"
    assert match_key("Bia - Rượu - Nước giải khát") == match_key("Bia, Rượu,Nước giải khát")
    assert match_key("Ea H'Leo") == match_key("Ea H’leo")
    assert match_key("Tân Thành") != match_key("Tân Thạnh")
    assert match_key("Việt Hùng") != match_key("Việt Hưng")


def test_match_key_eth_and_nfd_are_equal() -> None:
    assert match_key("\u00d0ồng Tiến") == match_key("Đồng Tiến")
    assert match_key(unicodedata.normalize("NFD", "Đồng Tiến")) == match_key("Đồng Tiến")


def test_match_key_of_nothing_is_empty() -> None:
    assert match_key(None) == ""
    assert match_key("  -- ") == ""


def test_loose_key_drops_every_mark() -> None:
    assert loose_key("Đắk Lắk") == "dak lak"
    assert loose_key("Tân Thạnh") == loose_key("Tân Thành") == "tan thanh"
    assert loose_key("\u00d0ông") == "dong"


# --- properties ----------------------------------------------------------------------------

_LETTERS = (
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊOÔƠUƯY 0123456789-.,\"'()")
    + list("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
    + list("ÀÁẢÃẠÈÉÌÍÒÓÙÚỲÝ\u0300\u0301\u0309\u0303\u0323")
)
# Letters, digits and punctuation of Vietnamese cells. NBSP is left out of this one because
# "Â" + NBSP is the classic mojibake of an NBSP, which ftfy rightly repairs in upper case only
# (no Vietnamese syllable ends in â, so real text never has it). So is a word "Â" or "Ã" before
# a space: ftfy reads it as the same mojibake whose NBSP became a space ("Â 0" → "0"), and no
# Vietnamese syllable is a bare â or ã either.
VIETNAMESE_PLAIN = st.text(alphabet=st.sampled_from(_LETTERS), max_size=40).filter(
    lambda s: re.search(r"[âãÂÃ]\s", s) is None
)
VIETNAMESE = st.text(
    alphabet=st.sampled_from([*_LETTERS, "\u00a0", "\u200b", "\u00d0"]), max_size=40
)
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=True),
    st.text(),
)


@given(VIETNAMESE)
def test_clean_text_is_idempotent_on_vietnamese(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@given(VIETNAMESE)
def test_canonical_tones_is_idempotent(text: str) -> None:
    once = canonical_tones(text)
    assert canonical_tones(once) == once


@given(st.one_of(VIETNAMESE, st.text(alphabet=st.characters(max_codepoint=0x7F))))
def test_match_key_is_idempotent(text: str) -> None:
    # Not over arbitrary Unicode: casefolding symbol soup such as "À¹" creates new byte
    # patterns that ftfy (rightly) treats as mojibake on the next call.
    once = match_key(text)
    assert match_key(once) == once
    assert loose_key(loose_key(text)) == loose_key(text)


@given(VIETNAMESE_PLAIN)
def test_keys_are_case_and_spacing_insensitive(text: str) -> None:
    assert match_key(text.upper()) == match_key(text.lower())
    # Plain spaces/tabs only: "Â" + NBSP is the classic mojibake of an NBSP and is repaired.
    assert match_key(f"  {text}\t") == match_key(text)


@given(ANY_VALUE)
def test_nothing_raises_on_any_cell(value: object) -> None:
    cleaned = clean_text(value)
    assert cleaned is None or (cleaned == cleaned.strip() and cleaned)
    assert isinstance(match_key(value), str)
    assert isinstance(loose_key(value), str)


def test_odd_cells() -> None:
    assert clean_text(datetime(2021, 7, 5, 8, 30)) == "2021-07-05 08:30:00"
    assert clean_text(float("inf")) == "inf"
    # Python refuses str() of ints over 4,300 digits; such a "cell" is treated as empty.
    assert clean_text(10**5000) is None


def test_punctuation_to_space_table_matches_the_category_rule_on_every_code_point() -> None:
    import sys

    from ocop_etl.transforms.text import _punctuation_to_space

    every = "".join(chr(c) for c in range(sys.maxunicode + 1))
    expected = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in every)
    assert _punctuation_to_space(every) == expected
    assert _punctuation_to_space(every) == expected  # again, from the filled table


def test_translation_guards_find_exactly_the_translated_characters() -> None:
    # _clean_once skips str.translate when its guard regex finds nothing to translate.
    import sys

    from ocop_etl.transforms import text

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert (text._HAS_ETH.search(ch) is not None) == (code in text._ETH_TO_D)
        assert (text._HAS_TRANSLATED.search(ch) is not None) == (code in text._TRANSLATE)


@given(st.lists(st.one_of(st.none(), VIETNAMESE, st.text()), max_size=8))
def test_clean_texts_is_clean_text_of_each(texts: list[str | None]) -> None:
    from ocop_etl.transforms.text import clean_texts

    assert clean_texts(texts) == {t: clean_text(t) for t in texts}
