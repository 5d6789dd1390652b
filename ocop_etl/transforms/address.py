"""Split a free-text address cell into commune / district / province parts.

Reports often have one "Địa chỉ" column: "Thôn Bao La - Đức Nhuận, xã Quảng Phú, huyện Quảng
Điền". Only the administrative parts are kept (never the street or village part): the admin
resolver must not be handed a street, and villages are not units we resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ocop_etl.transforms.text import clean_text, loose_key

_COMMUNE = re.compile(r"^(xa|phuong|thi tran|tt|p|x|dac khu)\b")
_DISTRICT = re.compile(r"^(huyen|thi xa|quan|tx|h|q|tp|thanh pho)\b")
_PROVINCE = re.compile(r"^(tinh|t)\b")
# Sub-commune places (thôn, xóm, khối phố, ấp, bản, làng, tổ, số nhà…) are dropped.
_VILLAGE = re.compile(r"^(thon|xom|khoi|khu pho|ap|ban|lang|to|so|duong|kp|khoi pho)\b")


@dataclass(frozen=True)
class AddressParts:
    commune: str | None = None
    district: str | None = None
    province: str | None = None


def split_address(value: object) -> AddressParts:
    """Administrative parts of an address, right to left: province, district, commune.

    A part is recognised by its prefix; an unprefixed part is taken by position only when it
    follows the recognised part order (…, commune, district, province).
    """
    if type(value) is str:
        # The same address comes back in report after report of a district.
        return _split_address_str(value)
    return _split_address(value)


@lru_cache(maxsize=1 << 16)
def _split_address_str(value: str) -> AddressParts:
    return _split_address(value)


def _split_address(value: object) -> AddressParts:
    text = clean_text(value)
    if not text:
        return AddressParts()
    parts = [p.strip() for p in _SEPARATOR.split(text) if p.strip()]
    commune = district = province = None
    for part in parts:
        kind = _part_kind(part)
        if kind.village:
            continue
        if kind.commune and commune is None:
            commune = part
        elif kind.province and province is None:
            province = part
        elif kind.district and district is None:
            district = part
        elif commune is not None and district is None:
            district = part  # "xã Điện Phong, Điện Bàn": the part after a commune is its district
        elif district is not None and province is None:
            province = part
    return AddressParts(commune=commune, district=district, province=province)


_SEPARATOR = re.compile(r"[,;]")


class _PartKind(NamedTuple):
    """Which prefixes one address part carries (several may match: "tt" is also "t …")."""

    village: bool
    commune: bool
    province: bool
    district: bool


# Administrative parts ("xã Quế Xuân 2", "huyện Quế Sơn") recur in address after address,
# and building their key is most of the cost of splitting one.
@lru_cache(maxsize=1 << 16)
def _part_kind(part: str) -> _PartKind:
    key = loose_key(part)
    return _PartKind(
        village=bool(_VILLAGE.match(key)),
        commune=bool(_COMMUNE.match(key)),
        province=bool(_PROVINCE.match(key)) and not key.startswith("tp"),
        district=bool(_DISTRICT.match(key)),
    )
