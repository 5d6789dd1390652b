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
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
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

    None when ``s`` holds whitespace other than plain spaces: rapidfuzz and str.split disagree
    on what breaks a word there (U+00A0, U+0085, and rapidfuzz itself differs between plain
    and Vietnamese strings). Cores never do, since match_key joins words with single spaces.
    """
    return " ".join(sorted(s.split())) if s.isprintable() else None


# The pre-filter counts characters in _CLASSES classes (code point modulo _CLASSES). Any
# grouping of characters gives a valid bound, a coarser one only lets more pairs through. On
# the benchmark workload 32 classes let ~60 of ~3,000 pairs per file through, 64 about 55:
# not worth twice the bytes to compare.
_CLASSES = 32
# Strings longer than this are never filtered out (their counts would not fit in a byte).
_MAX_BOUNDED = 255
# Slack on the bound, far above float rounding and far below any gap between two scores of
# strings this short: the bound must never drop a pair rapidfuzz scores at the threshold.
_SLACK = 1e-6


def _single_spaced(text: str) -> bool:
    """Printable words between single spaces: sorting the words keeps every character."""
    return (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def _bounded(text: str) -> bool:
    """Whether the pre-filter's bound holds for ``text``: its sorted words (token_sort) are the
    same characters, and it is short enough for its character counts (and their sums) to fit
    in a byte."""
    return len(text) <= _MAX_BOUNDED and _single_spaced(text)


class _Rows:
    """A numpy array that grows at the end (doubling its capacity), one row per form."""

    def __init__(self, dtype: type, *width: int) -> None:
        self._data: np.ndarray = np.empty((16, *width), dtype)
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def extend(self, rows: np.ndarray) -> None:
        end = self._len + len(rows)
        if end > len(self._data):
            grown = np.empty(
                (max(end, 2 * len(self._data)), *self._data.shape[1:]), self._data.dtype
            )
            grown[: self._len] = self._data[: self._len]
            self._data = grown
        self._data[self._len : end] = rows
        self._len = end

    @property
    def array(self) -> np.ndarray:
        return self._data[: self._len]


class _Forms:
    """The spellings the matcher compares, two per producer: form 2j is producer j's core as
    written, form 2j + 1 the same without marks. For each form: the text, its words sorted
    (token_sort as a plain ratio), and what the pre-filter needs (see ``CandidateIndex``) —
    the latter computed in bulk when first needed, so that adding producers one at a time
    (the block cache does) stays cheap."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self._length = _Rows(np.int64)
        self._counts = _Rows(np.uint8, _CLASSES)  # characters per class
        self._bounded = _Rows(np.bool_)  # whether the bound holds for the form (see features)
        self._typed_bare = _Rows(np.bool_)  # per producer: a core without any marks ("Que Xuan")

    def __len__(self) -> int:
        return len(self.text) // 2

    def append(self, core: str) -> None:
        self.text.append(core)
        self.text.append(strip_marks(core))

    def features(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per form: length, character counts per class, whether the bound holds; and per
        producer whether its core is typed bare (both forms the same text)."""
        done = len(self._length)
        if done < len(self.text):
            pending = self.text[done:]
            lengths = np.fromiter(map(len, pending), np.int64, len(pending))
            # One code point per 4 bytes ("surrogatepass": a stray surrogate is a character
            # too), so character k of the joined text belongs to the form np.repeat says.
            codes = np.frombuffer("".join(pending).encode("utf-32-le", "surrogatepass"), "<u4")
            owner = np.repeat(np.arange(len(pending)), lengths)
            counts = np.bincount(
                owner * _CLASSES + codes % _CLASSES, minlength=len(pending) * _CLASSES
            ).reshape(len(pending), _CLASSES)
            self._length.extend(lengths)
            self._counts.extend(np.minimum(counts, _MAX_BOUNDED).astype(np.uint8))
            # The bound also covers token_sort only when sorting the words keeps the
            # characters: plain single spaces between words (and short enough to count).
            # Usually all are (every core parse_producer makes is): then one check of the
            # whole batch joined by single spaces says so, instead of one per form.
            if lengths.max() <= _MAX_BOUNDED and _single_spaced(" ".join(pending)):
                self._bounded.extend(np.ones(len(pending), np.bool_))
            else:
                self._bounded.extend(np.fromiter(map(_bounded, pending), np.bool_, len(pending)))
            self._typed_bare.extend(
                np.fromiter(
                    map(str.__eq__, pending[::2], pending[1::2]), np.bool_, len(pending) // 2
                )
            )
        return self._length.array, self._counts.array, self._bounded.array, self._typed_bare.array

    def best(self, f: int, other: _Forms, g: int) -> tuple[float, str]:
        """The better of ratio and token_sort_ratio of form f and ``other``'s form g (ties go
        to "ratio"), computed as the reference matcher does."""
        a, b = self.text[f], other.text[g]
        ratio = fuzz.ratio(a, b)
        # Sorted only here: few pairs get this far, far fewer than there are forms.
        a_sorted, b_sorted = _words_sorted(a), _words_sorted(b)
        if a_sorted is not None and b_sorted is not None:
            token_sort = fuzz.ratio(a_sorted, b_sorted)
        else:
            token_sort = fuzz.token_sort_ratio(a, b)
        return (ratio, "ratio") if ratio >= token_sort else (token_sort, "token_sort")


class CandidateIndex:
    """Existing producers (of one block), indexed for ``find_candidates``; grows by ``add``.

    A caller that sees a block grow file after file (the loader) adds each producer once,
    instead of re-indexing the whole block for every batch of new names. A candidate's
    ``existing_index`` is the position in the order producers were added.

    Matching a batch of new producers is done for the whole batch at once: the pairs sharing
    a blocking word (thousands per file in a large province) go through a numpy pre-filter,
    and only the few it lets through (a few per new producer) are scored one by one. Calling
    rapidfuzz per new producer cost far more in Python overhead than in scoring. The filter
    is exact, never a heuristic: ratio(a, b) = 200 · LCS(a, b) / (len a + len b), and the
    longest common subsequence shares at most min(count in a, count in b) characters of each
    class, so a pair whose bound is below the threshold cannot reach it. Sorting the words
    (token_sort) keeps the characters and the lengths, so the same bound covers both scores.
    """

    def __init__(self, existing: Iterable[ProducerName] = ()) -> None:
        self.producers: list[ProducerName] = []
        self._forms = _Forms()
        # Blocking: word of the mark-free core → the producers having it (as int64 buffers,
        # which numpy reads without a copy).
        self._postings: defaultdict[str, array[int]] = defaultdict(lambda: array("q"))
        self.add(existing)

    def __len__(self) -> int:
        return len(self.producers)

    def add(self, producers: Iterable[ProducerName]) -> None:
        for producer in producers:
            j = len(self.producers)
            self.producers.append(producer)
            self._forms.append(producer.core)
            for word in set(self._forms.text[-1].split()):
                self._postings[word].append(j)

    def candidates(
        self, new: Sequence[ProducerName], *, threshold: float = 85, include_vetoed: bool = False
    ) -> list[Candidate]:
        """``find_candidates(new, <the producers added so far>, ...)``; see there."""
        asked = [i for i, producer in enumerate(new) if producer.core]
        queries = _Forms()
        for i in asked:
            queries.append(new[i].core)
        q, j = self._pairs(queries)
        if not len(q):
            return []
        # A core typed without any marks ("Que Xuan") is compared mark-free with the other;
        # otherwise both as written. (A typed core's two forms are the same text.)
        q_length, q_counts, q_bounded, q_typed_bare = queries.features()
        e_length, e_counts, e_bounded, e_typed_bare = self._forms.features()
        bare = q_typed_bare[q] | e_typed_bare[j]
        qf, ef = 2 * q + bare, 2 * j + bare
        # At most the shorter length, so a byte holds the sum for a bounded pair (an
        # unbounded one may wrap, but it is kept whatever its bound).
        shared = np.minimum(q_counts[qf], e_counts[ef]).sum(axis=1, dtype=np.uint8)
        total = q_length[qf] + e_length[ef]
        may_reach = 200.0 * shared >= (threshold - _SLACK) * total
        kept = np.flatnonzero(may_reach | ~(q_bounded[qf] & e_bounded[ef]))

        found: list[Candidate] = []
        for k, jj, f, g in zip(
            q[kept].tolist(), j[kept].tolist(), qf[kept].tolist(), ef[kept].tolist(), strict=True
        ):
            i = asked[k]
            producer, other = new[i], self.producers[jj]
            if other.key_exact == producer.key_exact:
                continue  # an exact match, not a candidate
            score, method = queries.best(f, self._forms, g)
            if score < threshold:
                continue
            veto = _veto(producer, other)
            if veto is not None:
                if not include_vetoed:
                    continue
                method = veto
            found.append(Candidate(i, jj, score, method))
        found.sort(key=lambda c: (c.new_index, -c.score, c.existing_index))
        return found

    def _pairs(self, queries: _Forms) -> tuple[np.ndarray, np.ndarray]:
        """(query, producer) pairs sharing a word of the mark-free core, each pair once."""
        flat = array("q")
        per_query: list[int] = []
        for f in range(1, len(queries.text), 2):  # the mark-free forms
            start = len(flat)
            for word in set(queries.text[f].split()):
                posting = self._postings.get(word)
                if posting is not None:
                    flat += posting
            per_query.append(len(flat) - start)
        if not flat:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        n = len(self.producers)
        # A pair sharing two words is listed twice: one sort of the pair keys keeps it once.
        pairs = np.sort(
            np.repeat(np.arange(len(per_query)), per_query) * n + np.frombuffer(flat, np.int64)
        )
        pairs = pairs[
            np.not_equal(pairs[1:], pairs[:-1], out=np.ones(len(pairs), np.bool_)[1:]).base
        ]
        return pairs // n, pairs % n


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
