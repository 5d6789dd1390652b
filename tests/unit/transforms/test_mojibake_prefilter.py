"""``may_be_mojibake`` never rules out a text that ftfy's badness check flags.

The prefilter lets ``repair_mojibake`` skip ftfy's regex for plain Vietnamese; it is only
correct if it is a necessary condition of ``ftfy.badness.is_bad``. Every branch of ftfy's
regex matches at most a few characters, so checking every short string over the characters
that the prefilter lets through (ASCII and Vietnamese letters) covers every branch; the rest
checks real mojibake, legacy-font text and random mixes.
"""

from __future__ import annotations

import itertools
import string

import ftfy
from ftfy.badness import is_bad
from hypothesis import given
from hypothesis import strategies as st

from ocop_etl.transforms.text import (
    _FTFY_CONFIG,
    _VIETNAMESE_LETTERS,
    may_be_mojibake,
    repair_mojibake,
)

from .legacy_encoding import to_tcvn3, to_vni
from .real_names import REAL_NAMES

# One character per way ftfy's regex can see an ASCII character ([a-z], [A-Z], \w, \s, the
# space, [.,?!], anything else), the Vietnamese letters its categories name, and two it does
# not (ơ, ạ).
_REPRESENTATIVES = "azAZ09_ .,?!-(\t\n" + "ơạ" + "".join(
    c for c in _VIETNAMESE_LETTERS if c <= "Ư"
)


def _ruled_out_but_bad(texts: object) -> list[str]:
    return [t for t in texts if not may_be_mojibake(t) and is_bad(t)]  # type: ignore[attr-defined]


def test_every_short_string_of_ascii_and_vietnamese_letters() -> None:
    alphabet = string.printable + _VIETNAMESE_LETTERS
    texts = ("".join(p) for n in (1, 2) for p in itertools.product(alphabet, repeat=n))
    assert _ruled_out_but_bad(texts) == []


def test_every_three_character_string_of_representatives() -> None:
    texts = ("".join(p) for p in itertools.product(_REPRESENTATIVES, repeat=3))
    assert _ruled_out_but_bad(texts) == []


def _mojibake(text: str) -> list[str]:
    """UTF-8 bytes read as cp1252 / Latin-1, as a district's mis-saved CSV or export shows."""
    raw = text.encode("utf-8")
    return [raw.decode("cp1252", errors="replace"), raw.decode("latin-1")]


def test_real_mojibake_is_never_ruled_out() -> None:
    samples = ["Há»£p tÃ¡c xÃ£ NÃ´ng nghiá»‡p", "XÃ Â", "NGÃ BA HUẾ"]
    for name in REAL_NAMES:
        for variant in (name, name.upper(), name.lower()):
            samples += [variant, *_mojibake(variant)]
        # TCVN3 has no toned capitals: legacy text is encoded from the name as written.
        samples += [to_tcvn3(name), to_vni(name), to_vni(name.upper())]
    assert _ruled_out_but_bad(samples) == []
    # And the repair, with the prefilter, is what ftfy alone would do.
    for text in samples:
        expected = text if text.isascii() or not is_bad(text) else ftfy.fix_encoding(
            text, _FTFY_CONFIG
        )
        assert repair_mojibake(text) == expected


def test_plain_vietnamese_is_ruled_out() -> None:
    # The point of the prefilter: ordinary names skip ftfy.
    assert not may_be_mojibake("Hợp tác xã Nông nghiệp Thăng Bình")
    assert not may_be_mojibake("ĐẶC SẢN QUẢNG NAM")


_MIXED = st.text(
    alphabet=st.sampled_from(
        _REPRESENTATIVES + "ÂÃÎÐØÙ×¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
        "\xa0\xad\x81\x8d\x8f\x90\x9dвЂГўВРСΒΓΞΟāβ√≈"
    ),
    max_size=12,
)


@given(_MIXED)
def test_random_mixes_of_mojibake_characters(text: str) -> None:
    assert may_be_mojibake(text) or not is_bad(text)
