"""How officials write administrative unit names: prefixes, abbreviations and case vary.

The spellings follow what real lists show ("TX Điện Bàn"/"Thị xã Điện Bàn", "H. Thăng Bình",
"TT Hà Lam", "TP.Hội An", "P. Sơn Phong"; vietnamese-text.md §2.1 and ocop-domain.md §2), so
the resolver is exercised on the mix it will meet, while the ground truth keeps the bare
official name.
"""

from __future__ import annotations

import random

from ocop_etl.samples.admin_units import Commune, District

# "{}" is the bare name. A bare name without prefix appears too: officers often drop the
# prefix when the column header already says "Huyện"/"Xã".
DISTRICT_PREFIXES: dict[str, tuple[str, ...]] = {
    "Huyện": ("huyện {}", "Huyện {}", "H. {}", "H.{}", "{}"),
    "Thị xã": ("thị xã {}", "Thị xã {}", "TX {}", "TX. {}", "TX.{}"),
    "Thành phố": ("thành phố {}", "Thành phố {}", "TP {}", "TP. {}", "TP.{}"),
    "Quận": ("quận {}", "Quận {}", "Q. {}"),
}
COMMUNE_PREFIXES: dict[str, tuple[str, ...]] = {
    "Xã": ("xã {}", "xã {}", "Xã {}"),  # lower case listed twice: it dominates real lists
    "Phường": ("phường {}", "Phường {}", "P. {}", "P.{}"),
    "Thị trấn": ("thị trấn {}", "Thị trấn {}", "TT {}", "TT. {}"),
}
# Sub-commune prefixes seen in addresses; they carry no unit the warehouse stores.
VILLAGE_PREFIXES = ("thôn", "Thôn", "khối phố", "tổ dân phố", "làng")
VILLAGE_NAMES = ("1", "2", "3", "4", "5", "6", "Phú Quý", "An Lạc", "Đông Hòa", "Trung Phước")


def district_label(district: District, rng: random.Random, *, bare_ok: bool = True) -> str:
    """District name with a randomly chosen prefix style (never bare when ``bare_ok`` is False)."""
    styles = DISTRICT_PREFIXES[district.kind]
    if not bare_ok:
        styles = tuple(s for s in styles if s != "{}")
    return rng.choice(styles).format(district.name)


def commune_label(commune: Commune, rng: random.Random) -> str:
    """Commune name with a randomly chosen prefix style."""
    return rng.choice(COMMUNE_PREFIXES[commune.kind]).format(commune.name)


def village_label(rng: random.Random) -> str:
    """A hamlet/quarter part such as "thôn 3" or "khối phố An Lạc"."""
    return f"{rng.choice(VILLAGE_PREFIXES)} {rng.choice(VILLAGE_NAMES)}"


def issuer_caps(kind: str, name: str) -> str:
    """Issuing body as printed top-left of a report: "UBND HUYỆN THĂNG BÌNH"."""
    return f"UBND {kind.upper()} {name.upper()}"
