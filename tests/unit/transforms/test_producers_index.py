"""CandidateIndex / find_candidates give exactly what the pair-at-a-time matcher gives.

The fast matcher keeps its index across files, takes a whole batch of new names at once and
scores only the pairs a character-count bound cannot rule out; ``reference_matcher`` is the
plain definition. Same pairs, same scores (to the bit), same methods, same order.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop_etl.transforms.producers import (
    CandidateIndex,
    ProducerName,
    find_candidates,
    parse_producer,
)

from .real_names import REAL_NAMES
from .reference_matcher import reference_candidates

# Words that make near matches, vetoes, unaccented spellings and shared blocking words likely.
NAME_WORDS = st.lists(
    st.sampled_from(
        ["HTX", "Công ty TNHH", "Công ty CP", "Hộ", "CSSX", "DV", "NN", "Quế", "Que", "Xuân",
         "Xuan", "Thành", "Thạnh", "Thanh", "Tân", "Tan", "An", "Ân", "Bao", "La", "Lâ", "Đồng",
         "Dong", "Tiến", "1", "2", "mây", "tre", "đan", '"', "Phát", "Phat"]
    ),
    min_size=1,
    max_size=6,
).map(" ".join)  # fmt: skip
NAMES = st.lists(NAME_WORDS, max_size=12).map(lambda names: [parse_producer(n) for n in names])


@settings(max_examples=300, deadline=None)
@given(NAMES, NAMES, st.sampled_from([0, 50, 85, 90, 100]), st.booleans())
def test_same_candidates_as_the_reference(
    new: list[ProducerName], existing: list[ProducerName], threshold: int, include_vetoed: bool
) -> None:
    kwargs = {"threshold": threshold, "include_vetoed": include_vetoed}
    assert find_candidates(new, existing, **kwargs) == reference_candidates(  # type: ignore[arg-type]
        new,
        existing,
        **kwargs,  # type: ignore[arg-type]
    )


def test_same_candidates_on_real_names() -> None:
    parsed = [parse_producer(n) for n in REAL_NAMES]
    variants = [parse_producer(n.replace("Công ty", "Cty").upper()) for n in REAL_NAMES]
    for kwargs in ({}, {"include_vetoed": True}, {"threshold": 60}):
        assert find_candidates(variants, parsed, **kwargs) == reference_candidates(  # type: ignore[arg-type]
            variants,
            parsed,
            **kwargs,  # type: ignore[arg-type]
        )


@settings(max_examples=100, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=4), NAMES)
def test_an_index_grown_file_by_file_equals_one_built_at_once(
    batches: list[list[ProducerName]], new: list[ProducerName]
) -> None:
    grown = CandidateIndex()
    for batch in batches:
        grown.add(batch)
    everything = [p for batch in batches for p in batch]
    assert len(grown) == len(everything)
    assert grown.candidates(new) == reference_candidates(new, everything)


@pytest.mark.parametrize("space", ["\u00a0", "\x85", "\u2003", "\t"])
def test_cores_with_unusual_whitespace_are_scored_like_rapidfuzz_does(space: str) -> None:
    # parse_producer never yields such cores; a hand-built ProducerName may. Word order is then
    # scored by rapidfuzz's own token_sort_ratio rather than by pre-sorted words.
    def name(core: str) -> ProducerName:
        return ProducerName(core, ("htx",), "cooperative", f"htx {core}", f"htx {core}", core, None)

    # (rapidfuzz treats some of these as a word break in "xuân…" but not in plain "xuan…").
    new = [name(f"xuân{space}quế"), name(f"xuan{space}que"), name("quế xuân an")]
    existing = [name("quế xuân"), name("que xuan"), name(f"xuân quế{space}an"), name("an que xuan")]
    assert find_candidates(new, existing, threshold=50) == reference_candidates(
        new, existing, threshold=50
    )


def _hand_built(core: str) -> ProducerName:
    return ProducerName(core, (), "unknown", core, core, core, None)


# Cores as parse_producer never makes them but a hand-built ProducerName may: the matcher's
# character-count pre-filter must never drop a pair the reference keeps, whatever the text.
CORE_TEXT = st.text(alphabet="aăâeêo qxuđ\u0301\u00a0\t", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(CORE_TEXT, max_size=8),
    st.lists(CORE_TEXT, max_size=8),
    st.sampled_from([0, 40, 70, 85, 100]),
)
def test_same_candidates_as_the_reference_on_any_core_text(
    new: list[str], existing: list[str], threshold: int
) -> None:
    news, olds = [_hand_built(c) for c in new], [_hand_built(c) for c in existing]
    assert find_candidates(news, olds, threshold=threshold) == reference_candidates(
        news, olds, threshold=threshold
    )


@pytest.mark.parametrize(
    "core",
    [
        "quế xuân " * 40,  # longer than the filter counts: always scored
        "quế  xuân",  # two spaces: sorting the words would drop one
        " quế xuân",
        "quế xuân ",
        "quế xuân \ud800",  # a stray surrogate is one character like any other
    ],
)
def test_cores_the_prefilter_does_not_cover_are_scored_all_the_same(core: str) -> None:
    new = [_hand_built(core), _hand_built("xuân quế"), _hand_built("que xuan")]
    existing = [_hand_built(core.strip()), _hand_built("quế xuân"), _hand_built(core + "a")]
    for threshold in (0, 50, 85):
        assert find_candidates(new, existing, threshold=threshold) == reference_candidates(
            new, existing, threshold=threshold
        )
