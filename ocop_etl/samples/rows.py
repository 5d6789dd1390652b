"""The content of a report's product rows (ground-truth values, before any cell formatting).

Stars follow the share seen nationally (ocop-domain.md §3: about 62 % 3★, 35 % 4★, a few
"tiềm năng 5 sao"); plain 5★ is never drawn because district and provincial UBND lists cannot
grant it (§6: 5★ comes only from a ministry decision). Scores sit inside the half-open bands
[50,70)=3, [70,90)=4, [90,100]=5.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ocop_etl.samples.admin_units import Commune, District
from ocop_etl.samples.catalogue import (
    commune_named,
    real_rows_for,
    synth_producer,
    synth_product,
)
from ocop_etl.samples.formats import draw_score

# Share of a file's rows taken from real_ocop_rows.csv when enough match the district: most
# of a list stays synthesized so large benchmark files are not dominated by a dozen names.
REAL_ROW_SHARE = 0.4
POTENTIAL_RATE = 0.04
FOUR_STAR_RATE = 0.35


@dataclass(frozen=True)
class RowPlan:
    """One product row as the ground truth sees it; ``issue`` is set only on fault rows."""

    commune: Commune
    product_name: str  # "" when the fault "product.name_missing" blanked it
    producer: str | None
    stars: int | None  # None for "tiềm năng 5 sao"
    potential: bool
    score: float | None
    issue: str | None = None


def band_score(rng: random.Random, stars: int | None) -> float:
    """A score consistent with ``stars`` (None = potential 5★, scored 90-100)."""
    if stars == 3:
        return draw_score(rng, 50, 70)
    if stars == 4:
        return draw_score(rng, 70, 90)
    return draw_score(rng, 90, 100, inclusive=True)


def _rating(rng: random.Random, has_score: bool) -> tuple[int | None, bool, float | None]:
    roll = rng.random()
    if has_score and roll < POTENTIAL_RATE:
        return None, True, band_score(rng, None)
    stars = 4 if roll < POTENTIAL_RATE + FOUR_STAR_RATE else 3
    return stars, False, band_score(rng, stars) if has_score else None


def plan_rows(district: District, count: int, has_score: bool,
              rng: random.Random) -> list[RowPlan]:
    """``count`` rows for a district report; (product, producer) never repeats in one file.

    Product names are kept unique too (case-insensitively): the duplicate rule downstream may
    key on the name alone, and a clean sample must not trip it.
    """
    seen: set[str] = set()
    plans: list[RowPlan] = []

    def add(commune: Commune, product: str, producer: str) -> None:
        seen.add(product.casefold())
        stars, potential, score = _rating(rng, has_score)
        plans.append(RowPlan(commune, product, producer, stars, potential, score))

    real = list(real_rows_for(district))
    rng.shuffle(real)
    for r in real[: int(count * REAL_ROW_SHARE)]:
        if r.product_name.casefold() in seen:
            continue
        commune = commune_named(district, r.commune_name) or rng.choice(district.communes)
        # A real row without producer gets a synthesized one: default samples stay clean.
        add(commune, r.product_name, r.producer or synth_producer(rng, commune.name))

    attempts = 0
    while len(plans) < count:
        attempts += 1
        if attempts > 100 * count:  # the name pools are far larger; this only stops a bug
            raise ValueError(f"cannot draw {count} distinct product names for {district.name}")
        commune = rng.choice(district.communes)
        place = commune.name if rng.random() < 0.7 else district.name
        product = synth_product(rng, place)
        if product.casefold() in seen:
            continue
        add(commune, product, synth_producer(rng, place))
    return plans
