"""Warehouse tables of administrative units: both schemes, and the bridge from old to new.

``dim_admin_unit`` is keyed by (scheme, level, code) because codes were reused by the 2025
reform (province 52 was Bình Định, is Gia Lai). ``bridge_admin_2025`` is many-to-many: an old
commune split across several new ones has one row per new commune, all with ``is_partial``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ocop_etl.reference.admin_tables import AdminTables, load_admin_tables

PRE2025_VALID_TO = date(2025, 6, 30)
SCHEME_2025_VALID_FROM = date(2025, 7, 1)

DIM_COLUMNS = (
    "scheme",
    "level",
    "code",
    "name",
    "unit_type",
    "full_name",
    "parent_code",
    "province_code",
    "valid_from",
    "valid_to",
)
BRIDGE_COLUMNS = ("level", "old_code", "new_code", "is_partial")


ALIAS_COLUMNS = ("scheme", "level", "code", "alias", "kind", "source")
ALIAS_SOURCE = "vietnamadminunits 1.0.4"


def reference_tables(tables: AdminTables | None = None) -> dict[str, pd.DataFrame]:
    """Return {"dim_admin_unit", "bridge_admin_2025", "admin_alias"} frames, deterministically.

    Pre-2025 rows carry valid_to = 2025-06-30 and no valid_from (the snapshot is the last
    state before the reform, not a full history); 2025 rows start on 2025-07-01.
    """
    tables = tables or load_admin_tables()
    dim = pd.DataFrame(
        [
            (
                u.scheme,
                u.level,
                u.code,
                u.name,
                u.unit_type,
                u.full_name,
                u.parent_code,
                u.province_code,
                SCHEME_2025_VALID_FROM if u.scheme == "2025" else None,
                PRE2025_VALID_TO if u.scheme == "pre2025" else None,
            )
            for u in tables.units
        ],
        columns=list(DIM_COLUMNS),
    )
    bridge = pd.DataFrame(
        [(b.level, b.old_code, b.new_code, b.is_partial) for b in tables.bridge],
        columns=list(BRIDGE_COLUMNS),
    )
    bridge["is_partial"] = bridge["is_partial"].astype(bool)
    # Spellings that resolve to a unit besides its official name: variants of the same unit
    # (Đăk/Đắk, s/x) and former names of units merged into it (Nông Sơn → Quế Sơn).
    alias = pd.DataFrame(
        sorted(
            {
                (u.scheme, u.level, u.code, name, kind, ALIAS_SOURCE)
                for u in tables.units
                for kind, names in (("variant", u.variants), ("former_name", u.former_names))
                for name in names
            }
        ),
        columns=list(ALIAS_COLUMNS),
    )
    return {"dim_admin_unit": dim, "bridge_admin_2025": bridge, "admin_alias": alias}
