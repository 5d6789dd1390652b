"""The review-candidate matcher as it was first written: one pair at a time, plainly.

``find_candidates`` (ocop_etl.transforms.producers) now matches a batch at once over an
incremental index, with a numpy pre-filter; this straightforward version is kept as its
specification, and the tests check that both give exactly the same candidates (same pairs,
scores and methods).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz

from ocop_etl.transforms.producers import Candidate, ProducerName, _veto
from ocop_etl.transforms.text import strip_marks


def reference_candidates(
    new: Sequence[ProducerName],
    existing: Sequence[ProducerName],
    *,
    threshold: float = 85,
    include_vetoed: bool = False,
) -> list[Candidate]:
    index: defaultdict[str, set[int]] = defaultdict(set)
    for j, producer in enumerate(existing):
        for word in strip_marks(producer.core).split():
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
            a, b = producer.core, other.core
            if a == strip_marks(a) or b == strip_marks(b):
                # One side typed without any marks ("Que Xuan"): compare like with like.
                a, b = strip_marks(a), strip_marks(b)
            ratio = fuzz.ratio(a, b)
            token_sort = fuzz.token_sort_ratio(a, b)
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
