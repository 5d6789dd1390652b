"""Product and producer names: real ones from ``real_ocop_rows.csv`` first, then synthesized.

Synthesized names follow the shapes of real lists (ocop-domain.md §1.5, §2): a product kind
plus a place or brand ("Mật ong Quế Trung", 'Gạo "Cái quạt mo"'), and producers whose legal
form is visible only as a name prefix ("HTX NN …", "Công ty TNHH MTV …", "Hộ kinh doanh …").
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ocop_etl.samples.admin_units import Commune, District, official_province

REAL_ROWS_CSV = Path(__file__).with_name("real_ocop_rows.csv")

PRODUCT_KINDS = (
    "Nước mắm cá cơm", "Nước mắm nhĩ", "Mắm tôm chua", "Mắm nêm", "Gạo hữu cơ", "Gạo thơm",
    "Gạo lứt", "Rượu ba kích", "Rượu sim", "Rượu cần", "Rượu nếp", "Trà túi lọc", "Trà xanh",
    "Trà hoa vàng", "Trà sâm dứa", "Mật ong", "Mật ong rừng", "Mứt gừng", "Tinh dầu sả chanh",
    "Tinh dầu tràm", "Bánh tráng", "Bánh tráng mè", "Bánh khô mè", "Bánh in", "Tỏi đen",
    "Yến sào", "Cà phê bột", "Cà phê hạt rang", "Nấm linh chi", "Nấm bào ngư", "Miến dong",
    "Hạt điều rang muối", "Tiêu đen", "Quế thanh", "Bột nghệ", "Tinh bột nghệ", "Măng khô",
    "Dầu lạc", "Nem chua", "Chả cá", "Cá cơm khô", "Mực khô", "Thịt bò khô", "Chè xanh",
    "Nón lá", "Chiếu cói", "Đèn lồng", "Chổi đót", "Sâm dây", "Cao dược liệu", "Bưởi",
    "Cam sành", "Dưa hấu", "Chuối sấy", "Mít sấy", "Nước cốt gừng", "Dấm tỏi", "Tương ớt",
)
# Brand-like words for product names and company/household trading names.
BRANDS = (
    "Hương Quê", "Phú Quý", "Tâm An", "Bà Tám", "Xuân Anh", "Kim Long", "Thanh Hà", "Sơn Trà",
    "Mộc Miên", "An Phát", "Hồng Ân", "Minh Châu", "Việt Xanh", "Nhật Tân", "Đại Phúc",
    "Cái quạt mo", "Làng Chài", "Đất Quảng", "Tiên Sa", "Hòa Bình", "Thiên Ân", "Ngọc Lan",
    "Bảo Long", "Quê Nhà", "Hải Vân", "Trường Sơn", "Phước Lộc", "Thành Đạt", "Gia Bảo",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Trương")
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Hữu", "Công", "Xuân")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Mai", "Nam",
               "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vinh", "Xuân", "Yến")
# Legal-form prefixes as they appear in lists (ocop-domain.md §1.5); "{place}" is a commune
# or district name, "{brand}" a trading name, "{person}" a full personal name.
PRODUCER_PATTERNS = (
    "HTX Nông nghiệp {place}", "HTX NN {place}", "HTX DVNN {place}",
    "Hợp tác xã nông nghiệp và dịch vụ {place}", "HTX sản xuất kinh doanh dịch vụ {brand}",
    "Công ty TNHH MTV {brand}", "Công ty TNHH {brand}", "Công ty CP {brand}",
    "Công ty Cổ phần Thực phẩm {brand}", "Cơ sở sản xuất {brand}", "Cơ sở {brand}",
    "Hộ kinh doanh {person}", "Hộ kinh doanh Nguyễn Văn {given}", "Hộ SXKD {person}",
    "Tổ hợp tác sản xuất {place}", "Tổ hợp tác {brand}",
)


@dataclass(frozen=True)
class RealRow:
    """The parts of a real row the samples reuse: names plus where the row said it was."""

    province: str  # official short name (vietnamadminunits)
    district_name: str | None  # bare name when the row had one ("Thăng Bình")
    commune_name: str | None
    product_name: str
    producer: str | None


def _strip_prefix(label: str) -> str:
    """Drop a leading admin prefix ("huyện", "TX", "TT", "xã"…) from a real-row address part."""
    words = label.replace(".", ". ").split()
    prefixes = {"huyện", "h.", "thị", "xã", "tx", "tx.", "thành", "phố", "tp", "tp.", "tt",
                "tt.", "trấn", "phường", "p.", "quận", "q."}
    while words and words[0].casefold() in prefixes:
        words.pop(0)
    return " ".join(words)


@cache
def real_rows() -> tuple[RealRow, ...]:
    """Rows of ``real_ocop_rows.csv`` with a product name, province mapped to its official name."""
    with REAL_ROWS_CSV.open(encoding="utf-8", newline="") as fh:
        out = []
        for rec in csv.DictReader(fh):
            if not rec["product_name"].strip():
                continue
            out.append(RealRow(
                province=official_province(rec["province"].strip()),
                district_name=_strip_prefix(rec["district"]) or None,
                commune_name=_strip_prefix(rec["commune"]) or None,
                product_name=rec["product_name"].strip(),
                producer=rec["producer"].strip() or None,
            ))
    return tuple(out)


def real_rows_for(district: District) -> tuple[RealRow, ...]:
    """Real rows that plausibly belong in this district's report.

    Same province, and either the same district or no district at all (some sources give
    only the province): a Thăng Bình report should not list a Hội An lantern.
    """
    return tuple(
        r for r in real_rows()
        if r.province == district.province and r.district_name in (None, district.name)
    )


def person_name(rng: random.Random) -> str:
    """A plausible Vietnamese full name."""
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def synth_product(rng: random.Random, place: str) -> str:
    """A product name: kind + place, kind + brand, sometimes the brand quoted or a grade added."""
    kind = rng.choice(PRODUCT_KINDS)
    roll = rng.random()
    if roll < 0.35:
        return f"{kind} {place}"
    if roll < 0.5:
        return f'{kind} "{rng.choice(BRANDS)}"'  # quoted brand, like 'Gạo "Cái quạt mo"'
    if roll < 0.6 and kind.startswith("Nước mắm"):
        return f"{kind} {rng.choice(BRANDS)} {rng.choice((30, 35, 40))} độ đạm"
    if roll < 0.7:
        return f"Bộ sản phẩm {kind.lower()} {rng.choice(BRANDS)}"
    return f"{kind} {rng.choice(BRANDS)}"


def synth_producer(rng: random.Random, place: str) -> str:
    """A producer name whose legal form shows only in its prefix."""
    pattern = rng.choice(PRODUCER_PATTERNS)
    return pattern.format(place=place, brand=rng.choice(BRANDS), person=person_name(rng),
                          given=rng.choice(GIVEN_NAMES))


def commune_named(district: District, name: str | None) -> Commune | None:
    """The district's commune called ``name`` (bare name), if there is one."""
    if name is None:
        return None
    return next((c for c in district.communes if c.name.casefold() == name.casefold()), None)
