"""The repeated-header check rules most cells out without building their key — exactly.

``aliases.alias_candidates`` drops a text that has an ASCII letter or digit none of the
field's alias keys is built on, without computing its ``match_key``. That is only sound if
every ASCII letter and digit of a text survives into its ``match_key`` (as a character built
on it): checked here on arbitrary text, and on header spellings districts really type."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_etl.extract import read_report
from ocop_etl.extract.aliases import (
    alias_candidates,
    alias_table,
    ascii_alnum,
    header_candidates,
    is_alias_of,
    key_bases,
    lookup,
)
from ocop_etl.transforms.text import match_key

from .builders import Sheet, write_xlsx

# Vietnamese letters, both tone placements, decomposed marks, punctuation and odd spaces.
_TEXT = st.text(
    alphabet=st.sampled_from(
        "abcdeghiklmnopqrstuvxyĐđăâêôơư ÀÁẢÃẠàáảãạÒÓỎÕỌòóỏõọÝỲỶỸỴýỳỷỹỵ"
        "QqUuYy0123456789 .,;:/-()*\n\t\u00a0\u200b\u0300\u0301\u0303\u0309\u0323ÐðKſß"
    ),
    max_size=30,
)


def _mojibake(text: str) -> str:
    """UTF-8 read as cp1252, as ftfy (inside clean_text) repairs it."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, _TEXT.map(_mojibake), st.text(max_size=30)))
def test_every_ascii_letter_and_digit_survives_into_the_key(text: str) -> None:
    # What alias_candidates relies on, for the raw text (cleaning included).
    assert not ascii_alnum(text).translate(None, key_bases(match_key(text)))


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(sorted({a.field for a in alias_table().values()})))
def test_is_alias_of_agrees_with_lookup(text: str, field: str) -> None:
    alias = lookup(text)
    assert is_alias_of(text, field) == (alias is not None and alias.field == field)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _TEXT.map(_mojibake)))
def test_header_candidates_keep_every_text_lookup_finds(text: str) -> None:
    if lookup(text) is not None:
        assert header_candidates([text]) == [text]


def test_header_candidates_drop_numbers_and_keep_aliases() -> None:
    assert header_candidates(["72,5", "2022", "Dừa sáp", "Tên sản phẩm"]) == ["Tên sản phẩm"]


def _odd_spellings(alias: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", alias)
    return [
        alias.upper(),
        f"  {alias.title()} (*) ",
        alias.replace(" ", "\u00a0 - "),
        decomposed,
        alias.replace("oà", "òa").replace("uỷ", "ủy").upper(),
    ]


def test_every_alias_written_oddly_is_still_its_field() -> None:
    for key, alias in alias_table().items():
        for text in _odd_spellings(key):
            assert is_alias_of(text, alias.field), (text, alias.field)
            assert header_candidates([text]) == [text]
            assert text in alias_candidates([text, "Nước mắm Nam Ô", "72,5"], alias.field)


def test_alias_candidates_keeps_an_alias_with_a_line_break_and_drops_other_texts() -> None:
    texts = ["Tên sản\nphẩm", "Cà phê rang xay"]
    assert alias_candidates(texts, "product_name") == ["Tên sản\nphẩm"]
    assert alias_candidates(["Tên sản phẩm"], "no_such_field") == []


def test_repeated_header_in_an_odd_spelling_is_not_a_product(tmp_path: Path) -> None:
    header = ["STT", "Tên sản phẩm", "Tên chủ thể", "Hạng sao"]
    page_two = ["Số TT", "TÊN  SẢN-PHẨM (*)", "Chủ\u00a0thể sản xuất", "Xếp hạng"]
    sheet = Sheet("DS", [
        ["DANH SÁCH SẢN PHẨM OCOP NĂM 2022"],
        header,
        [1, "Gạo lứt Cái quạt mo", "HTX Nông nghiệp Phong Thu", "4 sao"],
        page_two,
        [2, "Nước mắm nhĩ Trà Kót", "Hộ kinh doanh Nguyễn Văn Phúc", "3 sao"],
    ])
    report = read_report(write_xlsx(tmp_path / "ds.xlsx", [sheet]))
    assert report.rows["source_row"].tolist() == [3, 5]
    assert report.rows["product_name"].tolist() == ["Gạo lứt Cái quạt mo", "Nước mắm nhĩ Trà Kót"]
