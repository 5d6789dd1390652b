"""Real districts and communes for the samples, read offline from vietnamadminunits' data.

Samples must only name units a resolver can find, so they are drawn from the pre-2025
(63-province) table ``admin_units_legacy`` bundled with vietnamadminunits 1.0.4. The SQLite
file is opened read-only and directly: importing the package itself would load its parser
(pandas, geocoder helpers) for no benefit, and nothing here may reach its online geocoder.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Names a district officer wrote before a unit was renamed. vietnamadminunits stores the unit
# under its newest pre-July-2025 name ("Huế", a centrally-run city since 2025-01-01), while
# 2020-2024 reports say "Thừa Thiên Huế". Key: official short name; value: (older name, last
# year it was in use).
OLDER_PROVINCE_NAMES: dict[str, tuple[str, int]] = {"Huế": ("Thừa Thiên Huế", 2024)}


@dataclass(frozen=True)
class Commune:
    """A commune-level unit: ``kind`` is "Xã", "Phường" or "Thị trấn"; ``name`` has no prefix."""

    kind: str
    name: str


@dataclass(frozen=True)
class District:
    """A district-level unit with its communes; names are official and without prefix."""

    province: str
    kind: str  # "Huyện", "Thị xã", "Thành phố" or "Quận"
    name: str
    communes: tuple[Commune, ...]


def dataset_path() -> Path:
    """Location of vietnamadminunits' bundled SQLite file (found without importing it)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed; samples need its data")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"


@cache
def _legacy_rows() -> tuple[tuple[str, str, str, str | None, str | None, str], ...]:
    """(province, district kind, district, commune kind, commune, province code), in code order."""
    uri = f"file:{dataset_path().as_posix()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        rows = conn.execute(
            "SELECT provinceShort, districtType, districtShort, wardType, wardShort, provinceCode"
            " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    return tuple(rows)


def province_names() -> tuple[str, ...]:
    """All 63 pre-2025 province short names, in GSO code order."""
    seen: dict[str, None] = {}
    for province, *_ in _legacy_rows():
        seen.setdefault(province, None)
    return tuple(seen)


def official_province(name: str) -> str:
    """Map a name as written in a report ("Thừa Thiên Huế") to vietnamadminunits' short name."""
    for official, (older, _) in OLDER_PROVINCE_NAMES.items():
        if name == older:
            return official
    return name


def province_display(province: str, year: int) -> str:
    """The province name an officer would have written in ``year``."""
    older = OLDER_PROVINCE_NAMES.get(province)
    return older[0] if older and year <= older[1] else province


@cache
def _province_kinds() -> dict[str, str]:
    """Short name → "Tỉnh" or "Thành phố" (centrally-run city), from the full official name."""
    kinds: dict[str, str] = {}
    uri = f"file:{dataset_path().as_posix()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        for full, short in conn.execute(
            "SELECT DISTINCT province, provinceShort FROM admin_units_legacy"
        ):
            kinds[short] = full[: -len(short)].strip()
    return kinds


def province_kind(province: str, year: int) -> str:
    """"Tỉnh" or "Thành phố" as the province was in ``year`` (Thừa Thiên Huế was a Tỉnh)."""
    older = OLDER_PROVINCE_NAMES.get(province)
    if older and year <= older[1]:
        return "Tỉnh"
    return _province_kinds()[province]


@cache
def districts_of(province: str) -> tuple[District, ...]:
    """Districts of ``province`` that have communes (island districts without any are skipped)."""
    grouped: dict[tuple[str, str], list[Commune]] = {}
    for prov, d_kind, d_name, c_kind, c_name, _ in _legacy_rows():
        if prov != province:
            continue
        communes = grouped.setdefault((d_kind, d_name), [])
        if c_kind and c_name:
            communes.append(Commune(c_kind, c_name))
    return tuple(
        District(province, kind, name, tuple(communes))
        for (kind, name), communes in grouped.items()
        if communes
    )


def districts_in(provinces: Iterable[str]) -> tuple[District, ...]:
    """All districts (with communes) of several provinces, in the given province order."""
    return tuple(d for p in provinces for d in districts_of(p))
