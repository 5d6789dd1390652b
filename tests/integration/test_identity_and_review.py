"""Producer and product identity across files, and the review queues (never merged on a guess)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.helpers import rows, run_files, warehouse
from tests.unit.extract.builders import Sheet, write_xlsx

pytestmark = pytest.mark.integration

HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Xã", "Huyện", "Số điểm", "Hạng sao",
          "Số quyết định", "Ngày quyết định"]


def _report(path: Path, year: int, products: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(path, [Sheet("DS", [
        ["UBND TỈNH QUẢNG NAM"],
        [f"DANH SÁCH SẢN PHẨM OCOP NĂM {year}"],
        [],
        HEADER,
        *[[i + 1, *p] for i, p in enumerate(products)],
    ])])


def test_re_rating_is_a_new_recognition_of_the_same_product_and_near_matches_go_to_review(
    warehouse_url: str, tmp_path: Path
) -> None:
    y2020 = _report(tmp_path / "in" / "que-son_2020.xlsx", 2020, [
        ["Mứt gừng Quế Xuân", "HTX Nông nghiệp Quế Xuân 1", "xã Quế Xuân 1", "H. Quế Sơn",
         "62,5", "3 sao", "3610/QĐ-UBND", "09/12/2020"],
        ["Rượu Hồng Đào", "Công ty TNHH Thành Đạt", "xã Quế Xuân 2", "H. Quế Sơn",
         "71", "4 sao", "3610/QĐ-UBND", "09/12/2020"],
    ])
    y2023 = _report(tmp_path / "in" / "que-son_2023.xlsx", 2023, [
        # Same producer written differently (abbreviation): the same identity.
        ["Mứt gừng Quế Xuân", "Hợp tác xã NN Quế Xuân 1", "xã Quế Xuân 1", "huyện Quế Sơn",
         "78", "4 sao", "1234/QĐ-UBND", "20/11/2023"],
        # A different company (CP, not TNHH): never merged, not even proposed.
        ["Rượu Hồng Đào", "Công ty CP Thành Đạt", "xã Quế Xuân 2", "huyện Quế Sơn",
         "72", "4 sao", "1234/QĐ-UBND", "20/11/2023"],
        # A near variant: goes to the review queue, never merged.
        ["Trà thảo mộc", "HTX DV NN Quế Xuân 1", "xã Quế Xuân 1", "huyện Quế Sơn",
         "65", "3 sao", "1234/QĐ-UBND", "20/11/2023"],
        # A commune that does not exist: loads with a warning, the spelling goes to review.
        ["Bánh tráng", "Cơ sở Hương Quê", "xã Không Tồn Tại", "huyện Quế Sơn",
         "55", "3 sao", "1234/QĐ-UBND", "20/11/2023"],
    ])

    outcomes = run_files(warehouse_url, [y2020, y2023], tmp_path)

    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    engine = warehouse(warehouse_url)
    recs = rows(engine, "SELECT product_id, producer_id, product_name, producer_name, stars, "
                        "evaluation_year, commune_name FROM ocop_recognition ORDER BY recognition_id")
    mut = [r for r in recs if r["product_name"] == "Mứt gừng Quế Xuân"]
    assert [(r["stars"], r["evaluation_year"]) for r in mut] == [(3, 2020), (4, 2023)]
    assert mut[0]["product_id"] == mut[1]["product_id"]
    assert mut[0]["producer_id"] == mut[1]["producer_id"]
    # Quế Xuân 1 and 2 are different communes.
    assert {r["commune_name"] for r in recs if r["product_name"] != "Bánh tráng"} == {
        "Quế Xuân 1", "Quế Xuân 2"}

    ruou = [r for r in recs if r["product_name"] == "Rượu Hồng Đào"]
    assert ruou[0]["producer_id"] != ruou[1]["producer_id"]
    assert ruou[0]["product_id"] != ruou[1]["product_id"]

    review = rows(engine, "SELECT p.display_name AS new, c.display_name AS existing, r.score "
                          "FROM review_producer_match r "
                          "JOIN dim_producer p ON p.producer_id = r.producer_id "
                          "JOIN dim_producer c ON c.producer_id = r.candidate_producer_id")
    pairs = {(r["new"], r["existing"]) for r in review}
    assert ("HTX DV NN Quế Xuân 1", "HTX Nông nghiệp Quế Xuân 1") in pairs
    assert not any("Thành Đạt" in a for a, _ in pairs)

    units = rows(engine, "SELECT commune_raw, district_raw FROM review_unit")
    assert units == [{"commune_raw": "xã Không Tồn Tại", "district_raw": "huyện Quế Sơn"}]
    warned = rows(engine, "SELECT source_row FROM dq_issue WHERE code = 'unit.unresolved'")
    assert [w["source_row"] for w in warned] == [8]
