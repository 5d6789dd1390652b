"""Print what the admin-unit resolver costs: ``python -m ocop_etl.reference.admin_benchmark``.

Figures, not assertions: timings depend on the machine. Inputs are built from the dimension
itself in report-like spellings ("T. X", "H. Y", "xã Z"), each distinct, so every call is a
cache miss; a second pass over the same inputs shows the cached cost.
"""

from __future__ import annotations

import time
from datetime import date

from ocop_etl.reference.admin_tables import load_admin_tables
from ocop_etl.reference.admin_units import AdminResolver

_ABBREVIATION = {"Huyện": "H.", "Thị xã": "TX", "Thành phố": "TP.", "Quận": "Q.", "Tỉnh": "T."}


def main() -> None:
    t0 = time.perf_counter()
    tables = load_admin_tables()
    t1 = time.perf_counter()
    resolver = AdminResolver(tables)
    t2 = time.perf_counter()
    units = {(u.scheme, u.level, u.code): u for u in tables.units}
    rows: list[tuple[str, str, str]] = []
    for u in tables.units:
        if u.scheme != "pre2025" or u.level != "commune" or u.parent_code is None:
            continue
        d = units[("pre2025", "district", u.parent_code)]
        p = units[("pre2025", "province", u.province_code)]
        abbreviated = f"{_ABBREVIATION.get(d.unit_type, d.unit_type)} {d.name}"
        rows.append((p.name, abbreviated, u.full_name.lower()))
    t3 = time.perf_counter()
    results = [resolver.resolve(*r, on_date=date(2020, 12, 9)) for r in rows]
    t4 = time.perf_counter()
    for r in rows:
        resolver.resolve(*r, on_date=date(2020, 12, 9))
    t5 = time.perf_counter()
    resolved = sum(x.status == "resolved" for x in results)
    print(f"load bundled tables : {t1 - t0:.3f} s")
    print(f"build resolver      : {t2 - t1:.3f} s")
    print(f"distinct inputs     : {len(rows)} (resolved {resolved})")
    print(f"cold, per distinct  : {(t4 - t3) / len(rows) * 1e3:.3f} ms")
    print(f"cached, per call    : {(t5 - t4) / len(rows) * 1e6:.2f} µs")


if __name__ == "__main__":
    main()
