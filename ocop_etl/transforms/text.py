"""Cleaning Vietnamese cell text and building comparison keys from it.

Three layers, each built on the previous one:

- ``clean_text``: what we store for display and audit. Repairs mojibake, NFC, Ð→Đ, turns
  invisible and exotic whitespace into plain spaces, straightens quotes and dashes.
- ``match_key``: what we compare for *exact* matches. Case-folded, tone mark on the first
  vowel of open ``oa/oe/uy`` syllables, punctuation gone. Diacritics are kept, because
  "Tân Thành" and "Tân Thạnh" are different communes.
- ``loose_key``: ``match_key`` without any marks (đ→d). Only good for *finding candidates*;
  never merge two records because their loose keys are equal.

Legacy TCVN3/VNI text must be converted (``legacy_fonts``) *before* ``clean_text``: the soft
hyphen that ``clean_text`` deletes is the letter ư in TCVN3, and Ð is é there.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import ftfy
from ftfy.badness import is_bad

# Only the mojibake repair of ftfy. Everything else it offers either duplicates our own steps
# (quotes, NFC) or would change legitimate text (HTML entities, full-width letters).
# restore_byte_a0 is off: it reads "Ã " as mojibake of "à", and "XÃ " / "NGÃ " are ordinary
# upper-case Vietnamese words.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    # C1 controls become spaces in clean_text; turning them into cp1252 letters first would
    # feed ftfy a second, different guess on the next run (clean_text must be idempotent).
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_ETH_TO_D = {0x00D0: "\u0110", 0x00F0: "\u0111"}
_TRANSLATE: dict[int, str | None] = {
    # Invisible characters that glue or hint but carry no letter.
    0x200C: None,  # ZWNJ
    0x200D: None,  # ZWJ
    0x2060: None,  # word joiner
    0xFEFF: None,  # BOM / zero-width no-break space
    0x00AD: None,  # soft hyphen (only safe after legacy-font conversion, see module doc)
    # ZWSP usually sits *between* words pasted from the web, so it becomes a space.
    0x200B: " ",
    # Quotes: districts mix curly, guillemets and the modifier apostrophe (Ea H’Leo / H'Leo).
    0x201C: '"',
    0x201D: '"',
    0x201E: '"',
    0x201F: '"',
    0x00AB: '"',
    0x00BB: '"',
    0x2018: "'",
    0x2019: "'",
    0x201A: "'",
    0x201B: "'",
    0x02BC: "'",
    0x2032: "'",
    # Dashes and the minus sign: "Bia - Rượu" is typed with any of them.
    0x2010: "-",
    0x2011: "-",
    0x2012: "-",
    0x2013: "-",
    0x2014: "-",
    0x2015: "-",
    0x2212: "-",
}

_HAS_ETH = re.compile("[" + "".join(map(chr, _ETH_TO_D)) + "]")
_HAS_TRANSLATED = re.compile("[" + re.escape("".join(map(chr, _TRANSLATE))) + "]")

# Anything Unicode calls a space separator or a line/paragraph break, plus control characters
# (tabs, Alt+Enter newlines inside cells): all become one plain space.
_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc"})

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def is_missing(value: object) -> bool:
    """True for None, NaN-like floats and pandas' NA/NaT, without importing pandas."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        # NaN, NaT and Decimal('NaN') are the values not equal to themselves.
        return bool(value != value)
    except (TypeError, ArithmeticError):
        # pandas.NA: even the comparison is NA and refuses to become a bool;
        # Decimal('sNaN'): the comparison itself signals.
        return True
    except ValueError:
        return False


def _to_str(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float; a sequence number 12 must not become "12.0".
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _vietnamese_letters() -> str:
    """Every non-ASCII letter of Vietnamese, precomposed, both cases (134 characters)."""
    vowels = "aăâeêioôơuưy"
    toned = {unicodedata.normalize("NFC", v + t) for v in vowels for t in ("", *_TONE_MARKS)}
    lower = toned | {"đ"}
    return "".join(sorted(c for c in lower | {c.upper() for c in lower} if not c.isascii()))


_VIETNAMESE_LETTERS = _vietnamese_letters()
# Vietnamese letters in the Latin-1 / Latin Extended-A range: the only ones ftfy's badness
# regex names (à á â ã è é ê ì í ò ó ô õ ù ú ý ă đ and capitals), plus ĩ ũ ơ ư (harmless).
_LOWER_LATIN_VIETNAMESE = "".join(c for c in _VIETNAMESE_LETTERS if c.islower() and c <= "ư")
_UPPER_LATIN_VIETNAMESE = "".join(c for c in _VIETNAMESE_LETTERS if c.isupper() and c <= "Ư")
# A necessary condition for ``ftfy.badness.is_bad``, ~7× cheaper than it (one character class
# scan instead of ftfy's ~40-branch regex tried at every position). Every branch of ftfy's
# BADNESS_RE needs a character from its mojibake categories or literals, all non-ASCII. Text
# made only of ASCII and Vietnamese letters can satisfy just these branches:
#   [lower accented][upper accented]       e.g. "àÀ", "đĐ"   → third alternative below
#   [a-z]\s?[ÃÂ][ ],  ^[ÃÂ][ ],  [a-z.,?!…]Â[ …]  (each needs Ã or Â then a space) → second
# every other branch needs a character that is neither ASCII nor a Vietnamese letter (a C1
# control, a symbol, a curly quote, a Greek/Cyrillic letter, …) → first alternative.
# tests/unit/transforms/test_mojibake_prefilter.py checks this exhaustively on short strings.
_MAY_BE_MOJIBAKE = re.compile(
    f"[^\\x00-\\x7f{_VIETNAMESE_LETTERS}]"
    "|[ÃÂ] "
    f"|[{_LOWER_LATIN_VIETNAMESE}][{_UPPER_LATIN_VIETNAMESE}]"
).search


def may_be_mojibake(text: str) -> bool:
    """False only when ftfy's ``is_bad(text)`` is False too (see ``_MAY_BE_MOJIBAKE``)."""
    return _MAY_BE_MOJIBAKE(text) is not None


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 ("Há»£p tÃ¡c xÃ£" → "Hợp tác xã"); nothing else.

    Legitimate Vietnamese, and TCVN3/VNI text still waiting for conversion, come back unchanged.
    """
    # ftfy's own first test, done here to skip its per-call set-up on the common case: ASCII
    # text, and text without any mojibake-like sequence, come back unchanged. Plain Vietnamese
    # (most cells) is ruled out by the cheap exact prefilter before ftfy's costlier regex.
    if text.isascii() or not may_be_mojibake(text) or not is_bad(text):
        return text
    return ftfy.fix_encoding(text, _FTFY_CONFIG)


def clean_text(value: object) -> str | None:
    """Return the display form of a cell, or None when it is empty.

    >>> clean_text("  HTX\\u00a0Nông  nghiệp\\u200bQuế Xuân ")
    'HTX Nông nghiệp Quế Xuân'
    >>> clean_text(12.0)
    '12'
    """
    if type(value) is str:
        # Cells repeat (headers, units, groups, stars): clean each distinct string once.
        return _clean_str(value)
    if is_missing(value):
        return None
    try:
        text = value if isinstance(value, str) else _to_str(value)
    except ValueError:
        # An int too long for str() (over 4,300 digits) cannot be a real cell value.
        return None
    return _clean_uncached(text)


def clean_texts(texts: Iterable[str | None]) -> dict[str | None, str | None]:
    """{text: clean_text(text)} for many texts at once (a reader cleans a sheet's distinct
    texts): the same results, without a Python step per text already seen."""
    pending = texts if isinstance(texts, set) else set(texts)
    cache = _CLEANED
    # The set difference and the lookups below run in C; only new texts cost Python work.
    new = {t: _clean_uncached(t) for t in pending.difference(cache) if t is not None}
    if len(cache) < _CLEANED_MAX:
        cache.update(new)
    cleaned = dict(zip(pending, map(cache.get, pending), strict=True))  # None → None
    cleaned.update(new)  # when the cache is full, new texts are not in it
    return cleaned


# clean_texts' cache. Entries are only ever added (never evicted or cleared), so a lookup
# that found a text still finds it, from any thread. The texts that repeat across files (units,
# stars, groups, places) come early in a run; once full, new texts are simply cleaned again.
_CLEANED: dict[str | None, str | None] = {}
_CLEANED_MAX = 1 << 16


@lru_cache(maxsize=1 << 16)
def _clean_str(text: str) -> str | None:
    return _clean_uncached(text)


def _clean_uncached(text: str) -> str | None:
    # ftfy decides on what it sees, and our own space clean-up can show it a new pattern
    # ("Â\x1f" → "Â " reads as a mangled NBSP). Repeating until stable makes clean_text
    # idempotent, which the keys built on it rely on; real text settles after one pass.
    for _ in range(3):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text or None


def _clean_once(text: str) -> str:
    if text.isascii() and text.isprintable():
        # Plain ASCII without control characters: ftfy, NFC and the translations leave it as
        # it is, so only the whitespace runs remain to collapse (same result as below).
        return " ".join(text.split())
    if not may_be_mojibake(text):
        # Only ASCII and Vietnamese letters (most cells), and nothing ftfy would flag: no eth,
        # no character of _TRANSLATE (none is ASCII or a Vietnamese letter), so of the steps
        # below only NFC and the space clean-up apply. One scan instead of three.
        return _spaces_cleaned(unicodedata.normalize("NFC", text))
    # Icelandic eth looks exactly like Vietnamese Đ but casefolds to ð, so keys would split.
    # Done before ftfy, which reads a lone "ð" as Cyrillic mojibake ("р"); UTF-8 Vietnamese
    # never contains these two bytes, so no real mojibake is lost.
    # str.translate with a dict looks up every character (microseconds per cell); a regex
    # search for the few characters concerned is C-fast, and most text has none of them.
    if _HAS_ETH.search(text):
        text = text.translate(_ETH_TO_D)
    text = repair_mojibake(text)
    text = unicodedata.normalize("NFC", text)
    if _HAS_TRANSLATED.search(text):
        text = text.translate(_TRANSLATE)
    return _spaces_cleaned(text)


def _spaces_cleaned(text: str) -> str:
    if not text.isprintable():
        # isprintable() is False exactly when some character is a control or a separator
        # other than the plain space (or unassigned/format/private): only then look closer.
        text = "".join(
            " " if unicodedata.category(ch) in _SPACE_CATEGORIES else ch for ch in text
        )
    return " ".join(text.split())


# --- tone placement -------------------------------------------------------------------------


def _toned(bases: str) -> str:
    return "".join(unicodedata.normalize("NFC", b + t) for b in bases for t in _TONE_MARKS)


def _split_tone(ch: str) -> tuple[str, str]:
    """'ỷ' → ('y', '\\u0309'); the base keeps its other marks (ệ → ê + dot below)."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return base, tone


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


# "Not followed by a letter" = the syllable is open; "hoàn", "hoài", "khuỷu" stay as they are.
_OPEN_END = r"(?![^\W\d_])"
# In qu- syllables the u is part of the consonant, so "quý" is already right.
_OA_OE = re.compile(rf"(?<![qQ])([oO])([{_toned('aeAE')}]){_OPEN_END}")
_UY = re.compile(rf"(?<![qQ])([uU])([{_toned('yY')}]){_OPEN_END}")
# "qúy", "qùa": the tone was typed on the u of the consonant cluster.
_Q_TONED_U = re.compile(rf"([qQ])([{_toned('uU')}])([aăâeêioôơuưyAĂÂEÊIOÔƠUƯY])")


def _move_to_first(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    base, tone = _split_tone(second)
    return _with_tone(first, tone) + base


def _move_off_qu(m: re.Match[str]) -> str:
    q, toned_u, vowel = m.group(1), m.group(2), m.group(3)
    u, tone = _split_tone(toned_u)
    return q + u + _with_tone(vowel, tone)


def canonical_tones(s: str) -> str:
    """Put the tone of open oa/oe/uy syllables on the first vowel; fix 'qúy' → 'quý'.

    Both placements are in official lists (Thuận Hoà / Thuận Hòa), so keys need one form;
    tone-on-first is the majority in the official NSO list. Case is preserved.

    >>> canonical_tones("Hoà Vang, thuỷ lợi, khoẻ, QÚY, hoàn, Huỳnh")
    'Hòa Vang, thủy lợi, khỏe, QUÝ, hoàn, Huỳnh'
    """
    s = unicodedata.normalize("NFC", s)
    s = _Q_TONED_U.sub(_move_off_qu, s)
    s = _OA_OE.sub(_move_to_first, s)
    # A moved tone can leave a stray combining mark next to a bare vowel ("oẹ̀" → "ọe" + grave):
    # recompose, or the key would change when computed again.
    return unicodedata.normalize("NFC", _UY.sub(_move_to_first, s))


# --- keys -------------------------------------------------------------------------------------


class _PunctuationTable(dict[int, str]):
    """Character → itself (letter, digit, combining mark) or a space, for ``str.translate``.

    Filled the first time a character is seen, so a key costs one C-level pass instead of a
    Python loop over its characters. Only the Latin, Vietnamese and common punctuation range
    is kept: a hostile cell full of rare code points must not grow the table without bound.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = ch if unicodedata.category(ch)[0] in "LNM" else " "
        if code < _PUNCTUATION_CACHED_BELOW:
            self[code] = out
        return out


_PUNCTUATION_CACHED_BELOW = 0x3000
_PUNCTUATION = _PunctuationTable()


def _punctuation_to_space(s: str) -> str:
    # Letters, digits and combining marks survive; every symbol and punctuation mark separates
    # words, so "Bia-Rượu", "Bia - Rượu" and "Bia, Rượu" give the same key.
    return s.translate(_PUNCTUATION)


def match_key(s: object) -> str:
    """Key for exact matching: equal keys mean "same name, written differently".

    >>> match_key("HTX  Hoà-Bình") == match_key("htx hòa bình")
    True
    >>> match_key("Tân Thành") == match_key("Tân Thạnh")
    False
    """
    if type(s) is str:
        return _match_key_str(s)
    return _match_key(s)


@lru_cache(maxsize=1 << 16)
def _match_key_str(s: str) -> str:
    return _match_key(s)


def _match_key(s: object) -> str:
    text = clean_text(s)
    if text is None:
        return ""
    # casefold may decompose (İ → i + dot), so recompose before the tone rule looks at letters.
    text = unicodedata.normalize("NFC", text.casefold())
    text = canonical_tones(text)
    return " ".join(_punctuation_to_space(text).split())


def strip_marks(s: str) -> str:
    """Remove every combining mark and turn đ/Đ into d/D: 'Đắk Lắk' → 'Dak Lak'."""
    if s.isascii():
        return s  # nothing to decompose, no mark, no đ
    if type(s) is str:
        return _strip_marks_str(s)
    return _strip_marks(s)


@lru_cache(maxsize=1 << 16)
def _strip_marks_str(s: str) -> str:
    return _strip_marks(s)


def _strip_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Đ has no decomposition, so NFD leaves it alone; it needs an explicit rule.
    return bare.replace("đ", "d").replace("Đ", "D")


def loose_key(s: object) -> str:
    """``match_key`` without marks. Only for candidate generation, never for merging.

    >>> loose_key("Tân Thạnh") == loose_key("Tân Thành")
    True
    """
    return " ".join(strip_marks(match_key(s)).split())
