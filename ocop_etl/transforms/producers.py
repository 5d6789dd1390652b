"""Producer ("chủ thể") names: legal form, type, comparison keys and review candidates.

Reports never have a producer-type column; the type is the name prefix ("HTX NN …",
"Công ty TNHH MTV …", "Hộ kinh doanh …"), spelled in many ways. ``parse_producer`` rewrites the
spellings to one abbreviation each, so true variants get the *same* ``key_exact``:

    "HTX Nông nghiệp Quế Xuân"  and  "Hợp tác xã NN Quế Xuân"        → "htx nn quế xuân"
    "Cty TNHH MTV Trà Xanh"     and  "Công ty TNHH Một thành viên …" → "cty tnhh mtv trà xanh"

Decision rule for the loader (vietnamese-text.md §3.4): merge only on equal ``key_exact`` inside
a province/commune block; ``find_candidates`` only proposes pairs for a human to review.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ocop_etl.transforms.text import clean_text, match_key, strip_marks

PRODUCER_TYPE_VI: dict[str, str] = {
    "cooperative": "Hợp tác xã",
    "company": "Doanh nghiệp",
    "private_enterprise": "Doanh nghiệp tư nhân",
    "cooperative_group": "Tổ hợp tác",
    "household": "Hộ kinh doanh",
    "establishment": "Cơ sở sản xuất, kinh doanh",
    "unknown": "Chưa xác định",
}

# Phrases (as match_key words) → abbreviation. Longest phrase wins at each position.
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(phrase.split()): tuple(abbr.split())
    for phrase, abbr in {
        "hợp tác xã": "htx",
        "h t x": "htx",  # H.T.X
        "tổ hợp tác": "tht",
        "công ty": "cty",
        "c ty": "cty",  # C.ty
        "ctcp": "cty cp",
        "trách nhiệm hữu hạn": "tnhh",
        "một thành viên": "mtv",
        "1 thành viên": "mtv",
        "1tv": "mtv",
        "cổ phần": "cp",
        "doanh nghiệp tư nhân": "dntn",
        "doanh nghiệp": "dn",
        "hộ kinh doanh": "hkd",
        "hộ sản xuất kinh doanh": "hkd",
        "hộ sx kd": "hkd",
        "hộ sxkd": "hkd",
        "hộ gia đình": "hkd",
        "cơ sở": "cs",
        "cssx": "cs sx",
        "cskd": "cs kd",
        "nông nghiệp": "nn",
        "dịch vụ": "dv",
        "sản xuất": "sx",
        "thương mại": "tm",
        "kinh doanh": "kd",
        "xuất nhập khẩu": "xnk",
        # Run-together abbreviations are split: "HTX DVNN" == "HTX dịch vụ nông nghiệp".
        "dvnn": "dv nn",
        "nndv": "nn dv",
        "sxkd": "sx kd",
        "sxtm": "sx tm",
        "tmdv": "tm dv",
        "sxtmdv": "sx tm dv",
        "sxdv": "sx dv",
    }.items()
}
_MAX_PHRASE = max(len(p) for p in _PHRASES)

# Leading legal-form tokens → producer type. Read left to right from the start of the key.
_COMPANY_SUFFIXES = ("tnhh", "mtv", "cp")
_FORM_TYPE = {
    "htx": "cooperative",
    "tht": "cooperative_group",
    "cty": "company",
    "dn": "company",
    "dntn": "private_enterprise",
    "hkd": "household",
    "cs": "establishment",
}
# Words describing the line of business, not the producer: "HTX DV NN Quế Xuân" is still "Quế Xuân".
_FILLERS = frozenset({"nn", "dv", "sx", "kd", "tm", "xnk", "và", "ông", "bà"})


@dataclass(frozen=True)
class ProducerName:
    display: str | None  # clean_text of the source, for display and audit
    legal_form: tuple[str, ...]  # e.g. ("cty", "tnhh", "mtv"); () when no prefix is recognised
    producer_type: str  # a key of PRODUCER_TYPE_VI
    key_exact: str  # equal keys = same producer written differently
    key_loose: str  # key_exact without marks: candidate generation only
    core: str  # key_exact without legal form and leading business words: what fuzzy compares
    brand: str | None  # text in double quotes: Cty TNHH MTV "Trà Xanh" → "Trà Xanh"


_EMPTY = ProducerName(None, (), "unknown", "", "", "", None)
_QUOTED = re.compile(r'"([^"]+)"')


def _abbreviate(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            abbr = _PHRASES.get(tuple(words[i : i + size]))
            if abbr is not None:
                out.extend(abbr)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _household(words: list[str]) -> tuple[tuple[str, ...], list[str]] | None:
    # "hộ ông Nguyễn Văn A", "hộ bà …": a household named after its owner.
    if len(words) >= 2 and words[0] == "hộ" and words[1] in ("ông", "bà"):
        return ("hkd",), words[1:]
    return None


def _split_legal_form(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    household = _household(words)
    if household is not None:
        return household
    if not words or words[0] not in _FORM_TYPE:
        return (), words
    form = [words[0]]
    rest = words[1:]
    # "Hợp tác xã (HTX) …" gives "htx htx": the bracketed repeat is not part of the name.
    while rest and rest[0] == form[0]:
        rest = rest[1:]
    if form[0] == "cty":
        while rest and rest[0] in _COMPANY_SUFFIXES and rest[0] not in form:
            form.append(rest.pop(0))
    return tuple(form), rest


def _core(rest: list[str]) -> str:
    i = 0
    while i < len(rest) - 1 and rest[i] in _FILLERS:
        i += 1
    return " ".join(rest[i:])


def parse_producer(name: object) -> ProducerName:
    """Split a producer name into legal form, type and keys; never raises.

    >>> p = parse_producer("Hợp tác xã NN Quế Xuân")
    >>> p.legal_form, p.producer_type, p.key_exact, p.core
    (('htx',), 'cooperative', 'htx nn quế xuân', 'quế xuân')
    """
    if type(name) is str:
        # The loader re-parses a province's known producers for every file: parse each once.
        return _parse_producer_str(name)
    return _parse_producer(name)


@lru_cache(maxsize=1 << 16)
def _parse_producer_str(name: str) -> ProducerName:
    return _parse_producer(name)


def _parse_producer(name: object) -> ProducerName:
    display = clean_text(name)
    if display is None:
        return _EMPTY
    quoted = _QUOTED.search(display)
    brand = clean_text(quoted.group(1)) if quoted else None

    words = match_key(display).split()
    # Repeat until nothing changes: one pass can create a phrase another pass would shorten
    # ("hộ sản xuất KD" → "hộ sx kd" → "hkd"), and keys must be stable when re-parsed.
    while (shorter := _abbreviate(words)) != words:
        words = shorter
    legal_form, rest = _split_legal_form(words)
    key_exact = " ".join((*legal_form, *rest))
    producer_type = _FORM_TYPE[legal_form[0]] if legal_form else "unknown"
    return ProducerName(
        display=display,
        legal_form=legal_form,
        producer_type=producer_type,
        key_exact=key_exact,
        key_loose=strip_marks(key_exact),
        core=_core(rest),
        brand=brand,
    )


def product_key(name: object) -> str:
    """Exact-match key of a product name; quotes around brand words are dropped.

    >>> product_key('Gạo "Cái quạt mo"') == product_key("gạo Cái Quạt Mo")
    True
    """
    # match_key already turns quotes into separators; this is the same key under a name that
    # says what it is for, so product and producer keys can evolve separately.
    return match_key(name)


# --- review candidates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A pair worth a human look: ``new[new_index]`` may be ``existing[existing_index]``.

    ``method`` is "ratio" or "token_sort" (which rapidfuzz scorer gave ``score``), or, when
    ``include_vetoed`` is set, "veto_digits" / "veto_legal_form" / "veto_diacritics".
    """

    new_index: int
    existing_index: int
    score: float
    method: str


_DIGITS = re.compile(r"\d+")


def _veto(a: ProducerName, b: ProducerName) -> str | None:
    # "HTX NN Quế Xuân 1" and "… 2" are two cooperatives, however similar the rest.
    if _DIGITS.findall(a.key_exact) != _DIGITS.findall(b.key_exact):
        return "veto_digits"
    # Công ty TNHH and Công ty CP with the same name are different legal persons. An unknown
    # form (name written without prefix) is not a contradiction, so it is not vetoed.
    if a.legal_form and b.legal_form and a.legal_form != b.legal_form:
        return "veto_legal_form"
    # Tân Thành / Tân Thạnh, Văn An / Văn Ân: words equal only without marks are different
    # words. Exception: a name typed entirely without marks ("Que Xuan") is an ASCII spelling
    # of the same words, so it stays a candidate.
    only_a = set(a.core.split()) - set(b.core.split())
    only_b = set(b.core.split()) - set(a.core.split())
    both_marked = a.core != strip_marks(a.core) and b.core != strip_marks(b.core)
    if both_marked and any(strip_marks(x) == strip_marks(y) for x in only_a for y in only_b):
        return "veto_diacritics"
    return None


def _similarity(a: str, b: str) -> tuple[float, str]:
    if a == strip_marks(a) or b == strip_marks(b):
        # One side typed without any marks ("Que Xuan"): compare like with like.
        a, b = strip_marks(a), strip_marks(b)
    ratio = fuzz.ratio(a, b)
    # Word order swaps ("Gỗ nghệ thuật Âu Lạc" / "Âu Lạc Gỗ nghệ thuật") score low on ratio.
    token_sort = fuzz.token_sort_ratio(a, b)
    return (ratio, "ratio") if ratio >= token_sort else (token_sort, "token_sort")


def find_candidates(
    new: Sequence[ProducerName],
    existing: Sequence[ProducerName],
    *,
    threshold: float = 85,
    include_vetoed: bool = False,
) -> list[Candidate]:
    """Pairs (new, existing) whose ``core`` scores ≥ ``threshold``, for the review queue.

    Only pairs sharing at least one word of their loose core are scored (blocking). Pairs with
    equal ``key_exact`` are left out: they are exact matches, not candidates. Vetoed pairs
    (different numbers, legal forms, or words equal only without marks) are never candidates;
    with ``include_vetoed`` they are listed with a "veto_*" method so a reviewer can see why.
    Sorted by new_index, then best score first.
    """
    index: defaultdict[str, set[int]] = defaultdict(set)
    # Each existing core once: its mark-free form, and whether it was typed without marks.
    bare_cores = [strip_marks(producer.core) for producer in existing]
    for j, bare in enumerate(bare_cores):
        for word in bare.split():
            index[word].add(j)

    found: list[Candidate] = []
    for i, producer in enumerate(new):
        if not producer.core:
            continue
        bare = strip_marks(producer.core)
        pool: set[int] = set()
        for word in bare.split():
            pool |= index.get(word, set())
        for j in pool:
            other = existing[j]
            if other.key_exact == producer.key_exact:
                continue
            # _similarity, inlined for the thousands of pairs of a province block; with the
            # threshold as rapidfuzz's cutoff a score below it comes back as 0, which changes
            # nothing: such a scorer can neither win nor pass the threshold.
            if bare == producer.core or bare_cores[j] == other.core:
                a, b = bare, bare_cores[j]
            else:
                a, b = producer.core, other.core
            ratio = fuzz.ratio(a, b, score_cutoff=threshold)
            token_sort = fuzz.token_sort_ratio(a, b, score_cutoff=threshold)
            score, method = (ratio, "ratio") if ratio >= token_sort else (token_sort, "token_sort")
            if score < threshold:
                continue
            veto = _veto(producer, other)
            if veto is not None:
                if not include_vetoed:
                    continue
                method = veto
            found.append(Candidate(i, j, score, method))
    found.sort(key=lambda c: (c.new_index, -c.score, c.existing_index))
    return found
