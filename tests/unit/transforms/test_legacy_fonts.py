"""TCVN3 / VNI → Unicode: the published examples, glibc's table, round trips, detection."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.legacy_fonts import (
    decode_legacy,
    detect_legacy_encoding,
    font_encoding,
    is_uppercase_font,
)

from .legacy_encoding import to_tcvn3, to_vni
from .real_names import REAL_NAMES

# vietnamese-text.md §1.3, as openpyxl/xlrd return them.
TCVN3_EXAMPLES = [
    ("ViÖt", "Việt"),
    ("Hîp t¸c x·", "Hợp tác xã"),
    ("§¾k L¾k", "Đắk Lắk"),
    ("Tr\u00adêng", "Trường"),
    ("N«ng nghiÖp", "Nông nghiệp"),
]
VNI_EXAMPLES = [
    ("Vieät", "Việt"),
    ("Hôïp taùc xaõ", "Hợp tác xã"),
    ("Ñaék Laék", "Đắk Lắk"),
    ("Tröôøng", "Trường"),
    ("Noâng nghieäp", "Nông nghiệp"),
]


@pytest.mark.parametrize(("legacy", "expected"), TCVN3_EXAMPLES)
def test_tcvn3_reference_examples(legacy: str, expected: str) -> None:
    assert decode_legacy(legacy, "tcvn3") == expected


@pytest.mark.parametrize(("legacy", "expected"), VNI_EXAMPLES)
def test_vni_reference_examples(legacy: str, expected: str) -> None:
    assert decode_legacy(legacy, "vni") == expected


def test_tcvn3_capital_font_is_upper_cased_on_request() -> None:
    # .VnTimeH draws lower-case bytes as capitals; without the flag the case is mixed.
    assert decode_legacy("§ÆC S¶N", "tcvn3") == "ĐặC SảN"
    assert decode_legacy("§ÆC S¶N", "tcvn3", uppercase=True) == "ĐẶC SẢN"


def test_vni_upper_case_marks() -> None:
    assert decode_legacy("HÔÏP TAÙC XAÕ", "vni") == "HỢP TÁC XÃ"
    assert decode_legacy("AÙNH", "vni") == "ÁNH"
    # The single-byte i/y letters: ị (ò), ĩ (ó), ỉ (æ), ỵ (î).
    assert decode_legacy("Quyeát ñònh", "vni") == "Quyết định"
    assert decode_legacy("kyõ thuaät, só, æ, lî", "vni") == "kỹ thuật, sĩ, ỉ, lỵ"


def test_decoding_leaves_ascii_alone() -> None:
    for encoding in ("tcvn3", "vni"):
        assert decode_legacy("HTX 2020 - OCOP (3*)", encoding) == "HTX 2020 - OCOP (3*)"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not installed")
def test_tcvn3_table_agrees_with_glibc_on_every_high_byte() -> None:
    for byte in range(0x80, 0x100):
        run = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
            input=bytes([byte]),
            capture_output=True,
            check=True,
        )
        glibc = unicodedata.normalize("NFC", run.stdout.decode("utf-8"))
        # Excel/openpyxl give the byte back as its cp1252 (or, if unassigned, Latin-1) char.
        try:
            as_read = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            as_read = chr(byte)
        if byte >= 0xA0:
            assert decode_legacy(as_read, "tcvn3") == glibc, hex(byte)
        else:
            # Deliberate difference: glibc (VN1) has capitals here, the .Vn* fonts do not;
            # in real cells these are cp1252 punctuation (… – “ ”) and must stay punctuation.
            assert decode_legacy(as_read, "tcvn3") == as_read, hex(byte)
            assert glibc != as_read


@pytest.mark.parametrize("name", REAL_NAMES)
def test_round_trip_real_names(name: str) -> None:
    assert decode_legacy(to_tcvn3(name), "tcvn3") == name
    assert decode_legacy(to_vni(name), "vni") == name
    assert decode_legacy(to_vni(name.upper()), "vni") == name.upper()
    assert decode_legacy(to_tcvn3(name.lower()), "tcvn3", uppercase=True) == name.upper()


def test_round_trip_full_sentence() -> None:
    sentence = " ".join(REAL_NAMES)
    assert decode_legacy(to_tcvn3(sentence), "tcvn3") == sentence
    assert decode_legacy(to_vni(sentence), "vni") == sentence


# --- detection ------------------------------------------------------------------------------

TCVN3_COLUMN = [to_tcvn3(n) for n in REAL_NAMES[:12]]
VNI_COLUMN = [to_vni(n) for n in REAL_NAMES[:12]]


def test_detects_whole_columns_from_characters() -> None:
    assert detect_legacy_encoding(TCVN3_COLUMN) == "tcvn3"
    assert detect_legacy_encoding(VNI_COLUMN) == "vni"
    assert detect_legacy_encoding(list(REAL_NAMES)) == "unicode"
    nfd = [unicodedata.normalize("NFD", n) for n in REAL_NAMES[:12]]
    assert detect_legacy_encoding(nfd) == "unicode"


def test_detects_reference_examples_as_a_column() -> None:
    assert detect_legacy_encoding([legacy for legacy, _ in TCVN3_EXAMPLES]) == "tcvn3"
    assert detect_legacy_encoding([legacy for legacy, _ in VNI_EXAMPLES]) == "vni"


@pytest.mark.parametrize(
    "column",
    [
        ["Café Müller"],
        ["Ñandú"],
        ["Café Müller", "Ñandú", "Raúl", "São Paulo", "Noël"],
        ["HTX 1", "OCOP", None, ""],
        [],
        ["Trà Xanh®", "© 2020"],
    ],
)
def test_western_and_ascii_columns_stay_unicode(column: list[str | None]) -> None:
    assert detect_legacy_encoding(column) == "unicode"


def test_a_few_legacy_looking_cells_do_not_outvote_a_unicode_column() -> None:
    column = [*REAL_NAMES[:10], *TCVN3_COLUMN[:2]]
    assert detect_legacy_encoding(column) == "unicode"


def test_font_names_decide_before_characters() -> None:
    ascii_column = ["HTX A", "HTX B", "HTX C"]
    assert detect_legacy_encoding(ascii_column, [".VnTime", ".VnTimeH", "Arial"]) == "tcvn3"
    assert detect_legacy_encoding(ascii_column, ["VNI-Times", "VNI-Times", None]) == "vni"
    # Fonts of empty cells do not vote: two of the three non-empty cells are in Times New Roman.
    values = ["x", "y", "z", None, None]
    fonts = [".VnTime", "Times New Roman", "Times New Roman", ".VnTime", ".VnTime"]
    assert detect_legacy_encoding(values, fonts) == "unicode"
    # An ordinary font does not force "unicode" over clear character evidence.
    assert detect_legacy_encoding(TCVN3_COLUMN, ["Arial"] * len(TCVN3_COLUMN)) == "tcvn3"


def test_font_name_helpers() -> None:
    assert font_encoding(".VnArial") == "tcvn3"
    assert font_encoding("VNI-Helve") == "vni"
    assert font_encoding("Times New Roman") == "unicode"
    assert font_encoding(None) is None
    assert is_uppercase_font(".VnTimeH")
    assert not is_uppercase_font(".VnTime")
    assert not is_uppercase_font("VNI-TimesH")


@given(st.text(), st.sampled_from(["tcvn3", "vni"]), st.booleans())
def test_decoding_never_raises(text: str, encoding: str, uppercase: bool) -> None:
    assert isinstance(decode_legacy(text, encoding, uppercase=uppercase), str)  # type: ignore[arg-type]


@given(st.lists(st.one_of(st.none(), st.text())), st.lists(st.one_of(st.none(), st.text())))
def test_detection_never_raises(values: list[str | None], fonts: list[str | None]) -> None:
    assert detect_legacy_encoding(values, fonts) in ("unicode", "tcvn3", "vni")
