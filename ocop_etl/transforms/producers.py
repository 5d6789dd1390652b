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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

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
# Words that start a phrase: any other word is kept as it is without trying phrase lengths.
_PHRASE_STARTS = frozenset(p[0] for p in _PHRASES)

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
        if words[i] not in _PHRASE_STARTS:
            out.append(words[i])
            i += 1
            continue
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


def _words_sorted(s: str) -> str | None:
    """``s`` with its words sorted, so that token_sort_ratio(a, b) == ratio(sorted a, sorted b).

    That lets one bulk ``ratio`` call score word order too. None when ``s`` holds whitespace
    other than plain spaces: rapidfuzz and str.split disagree on what breaks a word there
    (U+00A0, U+0085, and rapidfuzz itself differs between plain and Vietnamese strings).
    Cores never do, since match_key joins words with single spaces.
    """
    return " ".join(sorted(s.split())) if s.isprintable() else None


class _Forms:
    """One spelling per producer (the core as written, or without marks) as it is compared:
    the text, and the text with its words sorted (for token_sort as a plain ratio)."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.words_sorted: list[str | None] = []
        self.all_sortable = True  # no None in words_sorted

    def append(self, text: str) -> None:
        self.text.append(text)
        self.words_sorted.append(words_sorted := _words_sorted(text))
        self.all_sortable = self.all_sortable and words_sorted is not None

    def scores(self, query: str, pool: list[int], threshold: float) -> dict[int, tuple[float, str]]:
        """{j: (score, method)} for the producers j of ``pool`` whose better scorer reaches
        ``threshold`` (ties go to "ratio").

        Bulk rapidfuzz calls over the whole pool (the loop stays in C). With the threshold as
        score_cutoff a choice below it is left out, just as fuzz.ratio(..., score_cutoff)
        returns 0 for it: such a scorer can neither win nor pass the threshold.
        """

        def above(scorer: Any, q: str, texts: Sequence[str | None]) -> dict[int, float]:
            found = process.extract(
                q, texts, scorer=scorer, processor=None, score_cutoff=threshold, limit=None
            )
            return {pool[k]: score for _text, score, k in found}

        texts = list(map(self.text.__getitem__, pool))
        ratio = above(fuzz.ratio, query, texts)
        query_sorted = _words_sorted(query)
        if query_sorted is not None and self.all_sortable:
            token_sort = above(
                fuzz.ratio, query_sorted, list(map(self.words_sorted.__getitem__, pool))
            )
        else:
            token_sort = above(fuzz.token_sort_ratio, query, texts)
        best = {}
        for j in ratio.keys() | token_sort.keys():
            r, t = ratio.get(j, 0.0), token_sort.get(j, 0.0)
            best[j] = (r, "ratio") if r >= t else (t, "token_sort")
        return best


class CandidateIndex:
    """Existing producers (of one block), indexed for ``find_candidates``; grows by ``add``.

    A caller that sees a block grow file after file (the loader) adds each producer once,
    instead of re-indexing the whole block for every batch of new names. A candidate's
    ``existing_index`` is the position in the order producers were added.
    """

    def __init__(self, existing: Iterable[ProducerName] = ()) -> None:
        self.producers: list[ProducerName] = []
        self._core = _Forms()  # the cores as written
        self._bare = _Forms()  # the cores without marks
        # Blocking: word of the mark-free core → the producers having it. Cores typed without
        # any marks are kept apart: they are compared mark-free even with a marked name.
        self._typed_bare: defaultdict[str, list[int]] = defaultdict(list)
        self._marked: defaultdict[str, list[int]] = defaultdict(list)
        self.add(existing)

    def __len__(self) -> int:
        return len(self.producers)

    def add(self, producers: Iterable[ProducerName]) -> None:
        for producer in producers:
            j = len(self.producers)
            bare = strip_marks(producer.core)
            self.producers.append(producer)
            self._core.append(producer.core)
            self._bare.append(bare)
            postings = self._typed_bare if bare == producer.core else self._marked
            for word in set(bare.split()):
                postings[word].append(j)

    def candidates(
        self, new: Sequence[ProducerName], *, threshold: float = 85, include_vetoed: bool = False
    ) -> list[Candidate]:
        """``find_candidates(new, <the producers added so far>, ...)``; see there."""
        found: list[Candidate] = []
        for i, producer in enumerate(new):
            if not producer.core:
                continue
            for j, (score, method) in self._scored(producer, threshold).items():
                other = self.producers[j]
                if other.key_exact == producer.key_exact:
                    continue  # an exact match, not a candidate
                veto = _veto(producer, other)
                if veto is not None:
                    if not include_vetoed:
                        continue
                    method = veto
                found.append(Candidate(i, j, score, method))
        found.sort(key=lambda c: (c.new_index, -c.score, c.existing_index))
        return found

    def _scored(self, producer: ProducerName, threshold: float) -> dict[int, tuple[float, str]]:
        """Scores ≥ threshold of the producers sharing a word of the mark-free core (blocking)."""
        bare = strip_marks(producer.core)
        words = bare.split()
        typed_bare = set().union(*(self._typed_bare.get(w, ()) for w in words))
        marked = set().union(*(self._marked.get(w, ()) for w in words))
        if bare == producer.core:
            # Typed without any marks ("Que Xuan"): compare like with like, mark-free.
            return self._bare.scores(bare, list(typed_bare | marked), threshold)
        scored = self._bare.scores(bare, list(typed_bare), threshold) if typed_bare else {}
        if marked:
            scored |= self._core.scores(producer.core, list(marked), threshold)
        return scored


def find_candidates(
    new: Sequence[ProducerName],
    existing: Sequence[ProducerName],
    *,
    threshold: float = 85,
    include_vetoed: bool = False,
) -> list[Candidate]:
    """Pairs (new, existing) whose ``core`` scores ≥ ``threshold``, for the review queue.

    Only pairs sharing at least one word of their loose core are scored (blocking). A core
    typed without any marks is compared mark-free with the other; otherwise the cores are
    compared as written. The score is the better of rapidfuzz's ``ratio`` and
    ``token_sort_ratio`` (ties: "ratio"). Pairs with equal ``key_exact`` are left out: they
    are exact matches, not candidates. Vetoed pairs (different numbers, legal forms, or words
    equal only without marks) are never candidates; with ``include_vetoed`` they are listed
    with a "veto_*" method so a reviewer can see why. Sorted by new_index, then best score
    first.
    """
    return CandidateIndex(existing).candidates(
        new, threshold=threshold, include_vetoed=include_vetoed
    )
