"""parse_producer, product_key, find_candidates: real spellings and the matching traps."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.producers import (
    PRODUCER_TYPE_VI,
    Candidate,
    find_candidates,
    parse_producer,
    product_key,
)

from .real_names import REAL_NAMES


def key(name: str) -> str:
    return parse_producer(name).key_exact


@pytest.mark.parametrize(
    ("name", "legal_form", "producer_type"),
    [
        ("HTX Nông nghiệp Thanh niên Thăng Bình", ("htx",), "cooperative"),
        ("H.T.X DVNN Tân Thành", ("htx",), "cooperative"),
        ("Hợp tác xã nông nghiệp và dịch vụ Thịnh Phát", ("htx",), "cooperative"),
        ("Hợp tác xã (HTX) sản xuất, kinh doanh, dịch vụ nông nghiệp An Lỗ", ("htx",), "cooperative"),
        ("Công ty TNHH Gỗ nghệ thuật Âu Lạc", ("cty", "tnhh"), "company"),
        ("Cty TNHH MTV Trà Xanh", ("cty", "tnhh", "mtv"), "company"),
        ("C.ty Trách nhiệm hữu hạn 1TV Trà Xanh", ("cty", "tnhh", "mtv"), "company"),
        ("Công ty CP nước khoáng Quang Hanh", ("cty", "cp"), "company"),
        ("Công ty Cổ phần nước khoáng Quang Hanh", ("cty", "cp"), "company"),
        ("DNTN Hoà Phát", ("dntn",), "private_enterprise"),
        ("Doanh nghiệp tư nhân Hoà Phát", ("dntn",), "private_enterprise"),
        ("THT Mây tre Bao La", ("tht",), "cooperative_group"),
        ("Tổ hợp tác Mây tre Bao La", ("tht",), "cooperative_group"),
        ("Hộ kinh doanh yến sào An Phượng", ("hkd",), "household"),
        ("HKD Tám Yến", ("hkd",), "household"),
        ("Hộ SXKD Tám Yến", ("hkd",), "household"),
        ("hộ bà Nguyễn Thị Em", ("hkd",), "household"),
        ("Hộ ông Nguyễn Văn An", ("hkd",), "household"),
        ("Cơ sở kinh doanh Trầm hương Tường Vi", ("cs",), "establishment"),
        ("CSSX Trầm hương Tường Vi", ("cs",), "establishment"),
        ("Cơ sở sản xuất Trầm hương Tường Vi", ("cs",), "establishment"),
        ("Nguyễn Văn An", (), "unknown"),
    ],
)  # fmt: skip
def test_legal_form_and_type(name: str, legal_form: tuple[str, ...], producer_type: str) -> None:
    parsed = parse_producer(name)
    assert parsed.legal_form == legal_form
    assert parsed.producer_type == producer_type
    assert parsed.producer_type in PRODUCER_TYPE_VI


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTX Nông nghiệp Quế Xuân", "Hợp tác xã NN Quế Xuân"),
        ("Cty TNHH MTV Trà Xanh", "Công ty TNHH Một thành viên Trà Xanh"),
        ('Cty TNHH MTV "Trà Xanh"', "CÔNG TY TNHH MTV TRÀ XANH"),
        ("HTX Nông nghiệp Thanh niên Thăng Bình", "HTX NN Thanh niên Thăng Bình"),
        ("HTX DVNN Hoà Đa", "Hợp tác xã dịch vụ nông nghiệp Hòa Đa"),
        ("Hợp tác xã (HTX) sản xuất, kinh doanh, dịch vụ nông nghiệp An Lỗ", "HTX SXKD DV NN An Lỗ"),
        ("Công ty TNHH \u0110ồng Tiến", "Công ty TNHH \u00d0ồng Tiến"),  # Đ vs Icelandic Ð
        ("Công ty TNHH Đồng Tiến", unicodedata.normalize("NFD", "Công ty TNHH Đồng Tiến")),
        ("CSSX Trầm hương", "Cơ sở sản xuất Trầm hương"),
        ("Hộ SXKD Tám Yến", "Hộ sản xuất kinh doanh Tám Yến"),
    ],
)  # fmt: skip
def test_true_variants_share_key_exact(a: str, b: str) -> None:
    assert key(a) == key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTX NN Quế Xuân 1", "HTX NN Quế Xuân 2"),
        ("HTX Tân Thành", "HTX Tân Thạnh"),
        ("Công ty TNHH Thành Đạt", "Công ty CP Thành Đạt"),
        ("HKD Nguyễn Văn An", "HKD Nguyễn Văn Ân"),
        ("Công ty TNHH Gỗ nghệ thuật Âu Lạc", "Công ty TNHH Âu Lạc Gỗ nghệ thuật"),
    ],
)
def test_different_producers_keep_different_keys(a: str, b: str) -> None:
    assert key(a) != key(b)


def test_key_fields() -> None:
    parsed = parse_producer('Cty TNHH MTV "Trà Xanh"')
    assert parsed.display == 'Cty TNHH MTV "Trà Xanh"'
    assert parsed.key_exact == "cty tnhh mtv trà xanh"
    assert parsed.key_loose == "cty tnhh mtv tra xanh"
    assert parsed.core == "trà xanh"
    assert parsed.brand == "Trà Xanh"
    assert (
        parse_producer("HTX DV NN Quế Xuân").core == "quế xuân"
    )  # business words are not the name
    assert parse_producer("Công ty TNHH Thành Đạt").brand is None


@pytest.mark.parametrize("value", [None, "", "  ", float("nan")])
def test_empty_producer(value: object) -> None:
    parsed = parse_producer(value)
    assert parsed.display is None and parsed.key_exact == "" and parsed.producer_type == "unknown"


def test_product_key() -> None:
    assert product_key('Gạo "Cái quạt mo"') == product_key("gạo Cái Quạt Mo") == "gạo cái quạt mo"
    assert product_key('Bộ đèn "Thôn nữ"') == "bộ đèn thôn nữ"
    assert product_key("Nước mắm 40 độ đạm") != product_key("Nước mắm 35 độ đạm")


# --- candidates ----------------------------------------------------------------------------


def candidates(a: str, b: str, **kwargs: object) -> list[Candidate]:
    return find_candidates([parse_producer(a)], [parse_producer(b)], **kwargs)  # type: ignore[arg-type]


def test_word_order_swap_is_a_review_candidate_not_a_match() -> None:
    # Real pair from two Quảng Nam lists of the same 2020 decision.
    found = candidates("Công ty TNHH Gỗ nghệ thuật Âu Lạc", "Công ty TNHH Âu Lạc Gỗ nghệ thuật")
    assert found == [Candidate(0, 0, 100.0, "token_sort")]


def test_exact_key_matches_are_not_candidates() -> None:
    assert candidates("HTX Nông nghiệp Quế Xuân", "Hợp tác xã NN Quế Xuân") == []


def test_same_name_with_other_business_words_is_a_candidate() -> None:
    found = candidates("HTX DV NN Quế Xuân", "HTX Quế Xuân")
    assert [(c.score, c.method) for c in found] == [(100.0, "ratio")]


def test_unaccented_spelling_is_a_candidate() -> None:
    found = candidates("HTX Que Xuan", "HTX Quế Xuân")
    assert [c.method for c in found] == ["ratio"]


@pytest.mark.parametrize(
    ("a", "b", "veto"),
    [
        ("HTX NN Quế Xuân 1", "HTX NN Quế Xuân 2", "veto_digits"),
        ("HTX NN Quế Xuân 1", "HTX NN Quế Xuân", "veto_digits"),
        ("HTX Tân Thành", "HTX Tân Thạnh", "veto_diacritics"),
        ("HKD Nguyễn Văn An", "HKD Nguyễn Văn Ân", "veto_diacritics"),
        ("Công ty TNHH Thành Đạt", "Công ty CP Thành Đạt", "veto_legal_form"),
        ("HTX Thành Đạt", "Công ty TNHH Thành Đạt", "veto_legal_form"),
    ],
)
def test_vetoed_pairs_are_never_candidates(a: str, b: str, veto: str) -> None:
    assert candidates(a, b) == []
    assert candidates(b, a) == []
    assert [c.method for c in candidates(a, b, include_vetoed=True)] == [veto]


def test_threshold_and_blocking() -> None:
    # Cores "mây tre đan bao la" / "mây tre bao la" score 87.5 on ratio.
    found = candidates("HTX Mây tre đan Bao La", "HTX mây tre Bao La")
    assert [round(c.score, 1) for c in found] == [87.5]
    assert candidates("HTX Mây tre đan Bao La", "HTX mây tre Bao La", threshold=90) == []
    # Bình Trung / Bình Triều (different cooperatives) score 80 on the core: below 85.
    assert candidates("HTX NN Bình Trung", "HTX NN Bình Triều") == []
    # No shared word in the core: never compared at all, whatever the threshold.
    assert candidates("HTX Long Hải", "HTX Quế Xuân", threshold=0) == []


def test_candidates_sorted_best_first_per_new_row() -> None:
    new = [parse_producer("HTX Mây tre đan Bao La"), parse_producer("Công ty TNHH Dược Thảo LiLa")]
    existing = [
        parse_producer("HTX mây tre Bao La"),  # 87.5
        parse_producer("HTX Mây tre đan Bao Lâ"),  # la/lâ: veto_diacritics
        parse_producer("HTX Mây tre đan - Bao La"),  # same key: exact, not a candidate
        parse_producer("HTX SX Mây tre đan Bao La"),  # same core, other business word: 100
        parse_producer("Công ty TNHH Dược thảo Lila"),  # same key: exact
        parse_producer("Công ty TNHH Dược Thảo LiLa Gia Lai"),  # 77: below threshold
    ]
    found = find_candidates(new, existing)
    assert [(c.new_index, c.existing_index, round(c.score, 1)) for c in found] == [
        (0, 3, 100.0),
        (0, 0, 87.5),
    ]


# --- properties ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_NAMES)
def test_keys_are_idempotent_on_real_names(name: str) -> None:
    parsed = parse_producer(name)
    again = parse_producer(parsed.key_exact)
    assert again.key_exact == parsed.key_exact
    assert again.legal_form == parsed.legal_form
    assert parse_producer(parsed.display).key_exact == parsed.key_exact


PRODUCER_WORDS = st.lists(
    st.sampled_from(
        ["HTX", "Hợp tác xã", "Công ty", "Cty", "TNHH", "MTV", "Một thành viên", "CP", "Cổ phần",
         "Hộ", "hộ", "sản xuất", "kinh doanh", "SXKD", "dịch vụ", "DVNN", "nông nghiệp", "ông", "bà",
         "Cơ sở", "CSSX", "Tổ hợp tác", "DNTN", "(HTX)", "Quế", "Xuân", "Hoà", "Thuỷ", "1", "2", '"', "-"]
    ),
    max_size=8,
).map(" ".join)  # fmt: skip


@given(PRODUCER_WORDS)
def test_keys_are_idempotent(name: str) -> None:
    parsed = parse_producer(name)
    assert parse_producer(parsed.key_exact).key_exact == parsed.key_exact


@given(st.one_of(st.none(), st.integers(), st.floats(), st.dates(), st.text()))
def test_never_raises(value: object) -> None:
    parsed = parse_producer(value)
    assert parsed.producer_type in PRODUCER_TYPE_VI
    assert isinstance(product_key(value), str)


@given(st.lists(PRODUCER_WORDS, max_size=6), st.lists(PRODUCER_WORDS, max_size=6))
def test_candidates_never_include_exact_or_vetoed_pairs(
    new: list[str], existing: list[str]
) -> None:
    a = [parse_producer(n) for n in new]
    b = [parse_producer(n) for n in existing]
    for c in find_candidates(a, b):
        assert a[c.new_index].key_exact != b[c.existing_index].key_exact
        assert c.method in ("ratio", "token_sort")
        assert c.score >= 85
