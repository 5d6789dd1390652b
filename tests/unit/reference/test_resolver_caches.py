"""The resolver's per-level caches: a warm resolver answers exactly as a fresh one would.

The province+district step is cached per scheme and cleaned text, the commune step per
(province, district, scope, aliases) and commune text, and every index remembers its matches.
These tests resolve the same cells under other provinces, districts, schemes and dates, in
several orders, and compare every result with a resolver that has seen nothing else.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from typing import Any

import pytest

from ocop_etl.reference import admin_units
from ocop_etl.reference.admin_tables import AdminTables, load_admin_tables
from ocop_etl.reference.admin_units import AdminResolver, UnitResolution

D2020 = date(2020, 12, 9)
D2025 = date(2025, 9, 1)

Case = tuple[str | None, str | None, str | None, date | None]

CASES: list[Case] = [
    # One district name in several provinces (Châu Thành ×10), one commune name under two.
    ("Bến Tre", "Châu Thành", "xã Hữu Định", D2020),
    ("Long An", "Châu Thành", "xã Hữu Định", D2020),
    ("Tiền Giang", "Châu Thành", "xã Tân Hương", D2020),
    (None, "Châu Thành", "xã Hữu Định", D2020),
    # The same cells in both schemes, and without a date.
    ("Quảng Nam", "Quế Sơn", "Quế Xuân 2", D2020),
    ("Quảng Nam", "Quế Sơn", "Quế Xuân 2", D2025),
    ("Quảng Nam", "Quế Sơn", "Quế Xuân 2", None),
    ("Quảng Nam", "Quế Sơn", None, D2020),
    ("Quảng Nam", "Quế Sơn", None, D2025),
    ("Quảng Nam", None, "Quế Xuân 2", D2020),
    ("Quảng Nam", None, "Quế Xuân 2", None),
    # Spellings that clean to the same text, and ones that do not.
    ("  Quảng\u00a0Nam ", "H. Quế Sơn", "X. Quế Xuân 2", D2020),
    ("QUẢNG NAM", "huyện Quế Sơn", "xã Quế Xuân II", D2020),
    # Historical units, and the same commune text under the surviving district.
    ("Quảng Nam", "huyện Nông Sơn", None, D2020),
    ("Quảng Nam", "huyện Nông Sơn", "xã Quế Trung", D2020),
    ("Quảng Nam", "huyện Quế Sơn", "xã Quế Trung", D2020),
    # A district divided before 2025 (TP Huế): with and without a commune.
    ("Thừa Thiên Huế", "TP Huế", "phường Phú Hội", D2020),
    ("Thừa Thiên Huế", "TP Huế", None, D2020),
    ("Thừa Thiên Huế", "Phú Xuân", "phường Phú Hội", D2020),
    # 2025: an old province, the new one, none; a commune name in several provinces.
    ("Quảng Nam", None, "xã Xuân Phú", D2025),
    ("Đà Nẵng", None, "xã Xuân Phú", D2025),
    (None, None, "Xã Xuân Phú", D2025),
    ("Tây Ninh", None, "xã Tân An", D2025),
    ("Đồng Tháp", None, "xã Tân An", D2025),
    (None, None, "xã Tân An", D2025),
    # Type words, marks that differ, island districts, failures.
    ("Quảng Nam", "Thăng Bình", "TT Hà Lam", D2020),
    ("Quảng Nam", "Thăng Bình", "Hà Lam", D2020),
    ("Quảng Nam", "Thăng Bình", "Tân Thạnh", D2020),
    ("Quảng Ngãi", "Lý Sơn", None, D2020),
    ("Quảng Ngãi", "Lý Sơn", "An Vĩnh", D2020),
    ("Tỉnh Không Có", "x", "y", D2020),
    ("Tỉnh Không Có", None, "y", D2025),
    (None, None, None, D2020),
]


@pytest.fixture(scope="module")
def tables() -> AdminTables:
    return load_admin_tables()


def _with_split_commune(tables: AdminTables) -> list[Case]:
    """CASES plus an old commune that was split across several 2025 communes."""
    units = {(u.scheme, u.level, u.code): u for u in tables.units}
    split = next(b for b in tables.bridge if b.level == "commune" and b.is_partial)
    comm = units[("pre2025", "commune", split.old_code)]
    dist = units[("pre2025", "district", comm.parent_code or "")]
    prov = units[("pre2025", "province", comm.province_code)]
    return [*CASES, (prov.full_name, dist.full_name, comm.full_name, D2020)]


def _fresh(tables: AdminTables, case: Case) -> UnitResolution:
    return AdminResolver(tables).resolve(case[0], case[1], case[2], on_date=case[3])


@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_a_warm_resolver_answers_as_a_fresh_one(tables: AdminTables, order: str) -> None:
    cases = _with_split_commune(tables)
    expected = {case: _fresh(tables, case) for case in cases}
    if order == "backward":
        cases = cases[::-1]
    elif order == "shuffled":
        random.Random(7).shuffle(cases)
    warm = AdminResolver(tables)
    for case in cases * 2:  # the second pass answers from the caches
        assert warm.resolve(case[0], case[1], case[2], on_date=case[3]) == expected[case], case


def test_the_split_commune_case_is_partial(tables: AdminTables) -> None:
    case = _with_split_commune(tables)[-1]
    r = _fresh(tables, case)
    assert r.is_partial and len(r.current_commune_candidates) > 1


def test_no_result_leaks_across_provinces_or_schemes(tables: AdminTables) -> None:
    r = AdminResolver(tables)
    ben_tre = r.resolve("Bến Tre", "Châu Thành", "xã Hữu Định", on_date=D2020)
    long_an = r.resolve("Long An", "Châu Thành", "xã Hữu Định", on_date=D2020)
    assert (ben_tre.province_code, ben_tre.district_code, ben_tre.status) == ("83", "831", "resolved")
    assert (long_an.province_code, long_an.district_code, long_an.status) == ("80", "808", "partial")
    old = r.resolve("Quảng Nam", None, "xã Xuân Phú", on_date=D2020)
    new = r.resolve("Quảng Nam", None, "xã Xuân Phú", on_date=D2025)
    assert (old.scheme, old.status, old.unresolved_level) == ("pre2025", "partial", "district")
    assert (new.scheme, new.status, new.commune_code) == ("2025", "resolved", "20650")
    # The same commune text under a historical and under a surviving district.
    past = r.resolve("Quảng Nam", "huyện Nông Sơn", "xã Quế Trung", on_date=D2020)
    now = r.resolve("Quảng Nam", "huyện Quế Sơn", "xã Quế Trung", on_date=D2020)
    assert past.district_code == "519"
    assert now.district_code != "519"


def test_indexes_are_built_on_first_use(tables: AdminTables) -> None:
    r = AdminResolver(tables)
    assert r._index == {}
    r.resolve("Quảng Nam", "Thăng Bình", "TT Hà Lam", on_date=D2020)
    built = set(r._index)
    assert ("pre2025", "commune", "513") in built
    assert not any(k[1] == "commune" and k[2] not in ("513",) for k in built)


def test_fast_replace_matches_dataclasses_replace() -> None:
    base = UnitResolution("pre2025", "resolved", province_code="49", candidates=("a",))
    changes: dict[str, Any] = {
        "status": "partial",
        "commune_code": "20647",
        "alias_levels": ("province",),
        "is_partial": True,
    }
    assert admin_units._replace(base, **changes) == dataclasses.replace(base, **changes)
    assert admin_units._replace(base) == base
    with pytest.raises(TypeError):
        admin_units._replace(base, no_such_field=1)


def test_spellings_that_clean_alike_share_a_result_only_within_a_scheme(
    tables: AdminTables,
) -> None:
    # The second-level cache is keyed by the cleaned cells *and* the scheme: a spelling met
    # first under one date must still be read in the other scheme under another date.
    warm = AdminResolver(tables)
    plain = ("Quảng Nam", "Quế Sơn", "Quế Xuân 2")
    spaced = ("  Quảng\u00a0Nam ", "Quế Sơn ", " Quế Xuân 2")
    for on_date in (D2020, D2025, None, D2020):
        for cells in (plain, spaced):
            got = warm.resolve(*cells, on_date=on_date)
            assert got == _fresh(tables, (*cells, on_date)), (cells, on_date)
    assert warm.resolve(*spaced, on_date=D2025).scheme == "2025"
    assert warm.resolve(*spaced, on_date=D2020).scheme == "pre2025"
