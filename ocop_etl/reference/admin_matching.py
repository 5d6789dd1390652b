"""Matching one typed name against the units of one parent, without ever guessing.

Tiers, first hit wins:
1. exact key (accents kept, tone placement and numbers normalised);
2. loose key (no marks), only when the typed accents are a subset of the official ones
   ("Đak Pơ" → Đăk Pơ, but "Tân Thạnh" never → Tân Thành);
3. the library's unaccented spelling variants of the same unit (Jang/Yang Bắc, Đắc/Đắk);
4. former names of units merged into another one (Nông Sơn → Huyện Quế Sơn), flagged.
Several hits in a tier are narrowed by the unit type typed (Xã/Thị trấn); if that does not leave
exactly one, the result is ambiguous and the names become suggestions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from ocop_etl.reference.admin_names import (
    ParsedName,
    exact_key,
    loose_key,
    marks_compatible,
)
from ocop_etl.reference.admin_tables import AdminUnit, unit_keys, variant_key
from ocop_etl.transforms.text import strip_marks

MatchKind = Literal["found", "ambiguous", "none"]


@dataclass(frozen=True, slots=True)
class Match:
    """Outcome of matching one cell: the unit, or the candidates to show the district."""

    kind: MatchKind
    unit: AdminUnit | None = None
    via_former_name: bool = False
    candidates: tuple[AdminUnit, ...] = ()


@dataclass(slots=True)
class UnitIndex:
    """Look-up dictionaries over the units of one parent (or of the whole country)."""

    units: tuple[AdminUnit, ...]
    exact: dict[str, list[AdminUnit]] = field(default_factory=lambda: defaultdict(list))
    loose: dict[str, list[AdminUnit]] = field(default_factory=lambda: defaultdict(list))
    variants: dict[str, list[AdminUnit]] = field(default_factory=lambda: defaultdict(list))
    former: dict[str, list[AdminUnit]] = field(default_factory=lambda: defaultdict(list))
    exact_of: dict[str, str] = field(default_factory=dict)
    # Outcome per distinct readings: an index is never changed after ``build``, and one
    # district's commune spellings come back in every report of that district.
    _matches: dict[tuple[ParsedName, ...], Match] = field(default_factory=dict)
    # Fuzzy-suggestion choices (code → loose key), built on the first failed match only.
    _choices: dict[str, str] | None = None

    @classmethod
    def build(cls, units: Iterable[AdminUnit]) -> UnitIndex:
        index = cls(tuple(units))
        for u in index.units:
            keys = unit_keys(u)
            ek = keys.exact
            index.exact_of[u.code] = ek
            index.exact[ek].append(u)
            # The full name too: "Phường 1" typed without a recognised prefix, "Quận 3".
            if keys.exact_full != ek:
                index.exact[keys.exact_full].append(u)
            index.loose[keys.loose].append(u)
            # The library lists the unit's own loose keys among its keywords; keeping them in
            # tier 3 would let "Tân Thạnh" in through the back door after tier 2 refused it.
            own = {keys.loose, keys.typed}
            for key in u.variants - own:
                index.variants[key].append(u)
            for key in u.former_names:
                index.former[key].append(u)
        return index

    def match(self, readings: Iterable[ParsedName]) -> Match:
        key = tuple(readings)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = self._match(key)
        return found

    def _match(self, readings: tuple[ParsedName, ...]) -> Match:
        conflicts: list[AdminUnit] = []
        tried: list[str] = []
        for reading in readings:
            ek = exact_key(reading.name)
            if not ek:
                continue
            lk = strip_marks(ek)
            tried.append(lk)
            typed = variant_key(reading.unit_type, reading.name) if reading.unit_type else lk
            tiers: list[tuple[list[AdminUnit], bool]] = [(self.exact.get(ek, []), False)]
            loose_hits = self.loose.get(lk, [])
            compatible = [u for u in loose_hits if marks_compatible(ek, self.exact_of[u.code])]
            conflicts.extend(u for u in loose_hits if u not in compatible)
            tiers.append((compatible, False))
            if not loose_hits:
                tiers.append((_union(self.variants.get(lk), self.variants.get(typed)), False))
                tiers.append((_union(self.former.get(lk), self.former.get(typed)), True))
            for hits, via_former in tiers:
                if hits:
                    return _pick(hits, reading.unit_type, via_former)
        return Match("none", candidates=self._suggest(tried, conflicts))

    def _suggest(self, keys: list[str], first: list[AdminUnit]) -> tuple[AdminUnit, ...]:
        # Suggestions only, never a resolution: fuzzy scores rate "Quế Xuân 1" vs "2" at 94.
        found: dict[str, AdminUnit] = {u.code: u for u in first}
        if self._choices is None:
            self._choices = {u.code: loose_key(u.name) for u in self.units}
        by_code = {u.code: u for u in self.units}
        for key in keys[:1]:
            for _, _, code in process.extract(
                key, self._choices, scorer=fuzz.WRatio, limit=5, score_cutoff=75
            ):
                found.setdefault(code, by_code[code])
        return tuple(found.values())[:5]


def _union(*groups: list[AdminUnit] | None) -> list[AdminUnit]:
    out: dict[str, AdminUnit] = {}
    for g in groups:
        for u in g or ():
            out.setdefault(u.code, u)
    return list(out.values())


def _pick(hits: list[AdminUnit], unit_type: str | None, via_former: bool) -> Match:
    if len(hits) == 1:
        # A different type word alone does not reject: huyện become thị xã, xã become phường,
        # and reports keep the old word.
        return Match("found", hits[0], via_former)
    if unit_type:
        same_type = [u for u in hits if u.unit_type == unit_type]
        if len(same_type) == 1:
            return Match("found", same_type[0], via_former)
    return Match("ambiguous", candidates=tuple(hits))
