"""Deliberately wrong rows (``write_samples(faults=True)``), each labelled with its issue code.

Codes are the stable ones of ``ocop_etl.issues.CATALOGUE``. Errors ("star.out_of_range",
"product.name_missing", "score.out_of_range") must be rejected by the pipeline; warnings
("star.score_band_mismatch", "producer.missing") must be loaded. On a fault row the ground
truth keeps what the cell says (stars 13, score 130.0) so a test can check the rejected value.
"""

from __future__ import annotations

import random
from dataclasses import replace

from ocop_etl.samples.rows import RowPlan, band_score

ERROR_CODES = ("star.out_of_range", "product.name_missing", "score.out_of_range")
WARNING_CODES = ("star.score_band_mismatch", "producer.missing")
FAULT_CODES = (*ERROR_CODES, *WARNING_CODES)
# Codes that need a score column to be expressible.
_NEEDS_SCORE = {"score.out_of_range", "star.score_band_mismatch"}


def _break(plan: RowPlan, code: str, rng: random.Random) -> RowPlan:
    if code == "star.out_of_range":
        return replace(plan, stars=rng.choice((13, 14, 6)), potential=False, issue=code)
    if code == "product.name_missing":
        return replace(plan, product_name="", issue=code)
    if code == "score.out_of_range":
        return replace(plan, score=rng.choice((130.0, 105.5, 112.0)), issue=code)
    if code == "star.score_band_mismatch":
        # The classic slip: "4 sao" next to a 3-star score (and the reverse).
        stars = rng.choice((3, 4))
        return replace(plan, stars=stars, potential=False,
                       score=band_score(rng, 4 if stars == 3 else 3), issue=code)
    if code == "producer.missing":
        return replace(plan, producer=None, issue=code)
    raise ValueError(f"unknown fault code {code!r}")


def inject_faults(plans: list[RowPlan], has_score: bool, rng: random.Random) -> list[RowPlan]:
    """Break a few rows (about one in ten, at least two, one code per row).

    Codes are dealt in turn from a random start, so every code shows up across a handful of
    files and no file is all one kind of fault.
    """
    codes = [c for c in FAULT_CODES if has_score or c not in _NEEDS_SCORE]
    count = min(len(plans), max(2, len(plans) // 10))
    start = rng.randrange(len(codes))
    targets = rng.sample(range(len(plans)), count)
    out = list(plans)
    for k, idx in enumerate(sorted(targets)):
        out[idx] = _break(out[idx], codes[(start + k) % len(codes)], rng)
    return out
