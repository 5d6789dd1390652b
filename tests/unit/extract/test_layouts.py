"""Layouts of real district reports, read back exactly (values, sheet and Excel row)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ocop_etl.extract import read_report

from .builders import (
    AU_LAC,
    BAO_LA,
    BO_KHO,
    DEN_THON_NU,
    DUOC_THAO_LILA,
    GAO_AN_LO,
    GAO_QUAT_MO,
    HTX_AN_LO,
    HTX_BAO_LA,
    HTX_LE_MINH,
    HTX_PHU_THUAN,
    HTX_THANH_NIEN,
    MAM_LU_HUE,
    MOTTO,
    RUOU_SIM,
    THIEN_THUAN_TUONG,
    THIT_LON,
    TOI_DORI,
    TRA_LILA,
    TRAM_TUONG_VI,
    TUONG_TRAM,
    Sheet,
    district_report_sheet,
    signature_block,
    write_ods,
    write_xls,
    write_xlsx,
)

LINEAGE = ("source_file", "source_sheet", "source_row")


def records(report) -> list[dict]:
    return report.rows.to_dict("records")


def expected(file: str, sheet: str, fields: tuple[str, ...], *rows: tuple) -> list[dict]:
    """Rows as (source_row, *values in ``fields`` order) → full records with lineage."""
    return [
        {"source_file": file, "source_sheet": sheet, "source_row": r[0], **dict(zip(fields, r[1:], strict=True))}
        for r in rows
    ]


MAIN_FIELDS = ("seq", "product_name", "producer", "commune", "district", "score", "stars", "note",
               "district_from_section")


@pytest.mark.parametrize("writer, suffix", [(write_xlsx, ".xlsx"), (write_xls, ".xls"),
                                            (write_ods, ".ods")])
def test_title_block_merged_two_row_header_sections_totals_and_signatures(
    tmp_path: Path, writer, suffix: str
) -> None:
    path = writer(tmp_path / f"qn{suffix}", [district_report_sheet()])

    report = read_report(path)

    name = f"qn{suffix}"
    assert records(report) == expected(
        name, "Danh sach", MAIN_FIELDS,
        (11, "1", GAO_QUAT_MO, HTX_THANH_NIEN, "TT Hà Lam", "H. Thăng Bình", "72.5", "4 sao", None,
         "HUYỆN THĂNG BÌNH"),
        (13, "2", DEN_THON_NU, AU_LAC, "xã Điện Phong", "TX Điện Bàn", "75", "4", "09/12/2020",
         "THỊ XÃ ĐIỆN BÀN"),
        (14, "3", TUONG_TRAM, TRAM_TUONG_VI, "xã Quế Trung", "H. Nông Sơn", "70.25", "4*", None,
         "THỊ XÃ ĐIỆN BÀN"),
    )
    assert list(report.rows.columns) == [*LINEAGE, *MAIN_FIELDS]
    assert [(i.code, i.source_row, i.column, i.value) for i in report.issues] == [
        ("header.extra_column", 7, "I", "Số điện thoại")
    ]
    assert report.meta.province == "Quảng Nam"
    assert report.meta.district is None
    assert (report.meta.year, report.meta.round) == (2020, 2)
    assert report.meta.title == "DANH SÁCH SẢN PHẨM OCOP NĂM 2020 (ĐỢT 2)"
    assert report.meta.sheets_read == ("Danh sach",)
    assert report.meta.legacy_encoding == {}


def test_star_per_sheet_workbook_skips_hidden_and_helper_sheets(tmp_path: Path) -> None:
    header = ["STT", "Tên sản phẩm", "Chủ thể sản xuất", "Nhóm sản phẩm"]
    three = Sheet("3 sao", [
        ["UBND HUYỆN ĐAK PƠ", None, MOTTO],
        ["DANH SÁCH SẢN PHẨM OCOP CẤP HUYỆN NĂM 2024"],
        header,
        ["1. Nhóm thực phẩm"],
        [1, TRA_LILA, DUOC_THAO_LILA],
        ["Nhóm: Đồ uống"],
        [2, "Bộ sản phẩm rượu Đông trùng hạ thảo Bách Nhân Khang", DUOC_THAO_LILA, "Đồ uống"],
        [3],  # template row, numbered in advance and never filled
        [4],
    ], merges=["A4:D4", "A6:D6"])
    four = Sheet("4 sao", [
        header,
        [1, RUOU_SIM, HTX_LE_MINH],
    ])
    old_copy = Sheet("4 sao (cu)", [header, [1, "sản phẩm cũ", "HTX cũ"]], hidden=True)
    lists = Sheet("DM", [["Nhóm"], ["Thực phẩm"], ["Đồ uống"], ["Dược liệu"]])
    path = write_xlsx(tmp_path / "dak-po.xlsx", [three, old_copy, lists, four])

    report = read_report(path)

    fields = ("seq", "product_name", "producer", "product_group", "stars_from_section",
              "group_from_section")
    assert records(report) == [
        *expected("dak-po.xlsx", "3 sao", fields,
                  (5, "1", TRA_LILA, DUOC_THAO_LILA, None, "3 sao", "thực phẩm"),
                  (7, "2", "Bộ sản phẩm rượu Đông trùng hạ thảo Bách Nhân Khang", DUOC_THAO_LILA,
                   "Đồ uống", "3 sao", "Đồ uống")),
        *expected("dak-po.xlsx", "4 sao", fields, (2, "1", RUOU_SIM, HTX_LE_MINH, None, "4 sao", None)),
    ]
    assert report.meta.sheets_read == ("3 sao", "4 sao")
    assert (report.meta.district, report.meta.year) == ("Đak Pơ", 2024)


def test_star_class_from_title_and_star_sections(tmp_path: Path) -> None:
    title_sheet = Sheet("QN", [
        ["UBND TỈNH QUẢNG NINH"],
        ["DANH SÁCH SẢN PHẨM ĐẠT 4 SAO NĂM 2023"],
        [],
        ["TT", "Tên SP", "Chủ thể OCOP"],
        [1, THIT_LON, THIEN_THUAN_TUONG],
        ["Sản phẩm tiềm năng 5 sao"],
        [2, "Ngọc trai Akoya", "Công ty CP Ngọc trai Hạ Long (HaLong Pearl Jsc)"],
    ])
    report = read_report(write_xlsx(tmp_path / "qn.xlsx", [title_sheet]))

    assert records(report) == expected(
        "qn.xlsx", "QN", ("seq", "product_name", "producer", "stars_from_section"),
        (5, "1", THIT_LON, THIEN_THUAN_TUONG, "4 sao"),
        (7, "2", "Ngọc trai Akoya", "Công ty CP Ngọc trai Hạ Long (HaLong Pearl Jsc)",
         "tiềm năng 5 sao"),
    )
    assert (report.meta.province, report.meta.year) == ("Quảng Ninh", 2023)


def test_sections_nest_stars_then_district_then_group(tmp_path: Path) -> None:
    sheet = Sheet("Tong hop", [
        ["STT", "Tên sản phẩm", "Chủ thể", "Ghi chú"],
        ["A", "SẢN PHẨM ĐẠT 4 SAO"],
        ["I", "Huyện Quảng Điền"],
        ["1", "Nhóm thủ công mỹ nghệ"],
        [1, BAO_LA, HTX_BAO_LA],
        ["II", "Huyện Phú Vang"],
        [2, MAM_LU_HUE, HTX_PHU_THUAN],  # a new district clears the group of the last one
        ["B", "SẢN PHẨM ĐẠT 3 SAO"],
        [3, GAO_AN_LO, HTX_AN_LO],  # new star class clears district and group opened under it
    ])
    report = read_report(write_xlsx(tmp_path / "hue-2021.xlsx", [sheet]))

    fields = ("seq", "product_name", "producer", "note", "stars_from_section",
              "district_from_section", "group_from_section")
    assert records(report) == expected(
        "hue-2021.xlsx", "Tong hop", fields,
        (5, "1", BAO_LA, HTX_BAO_LA, None, "4 sao", "Huyện Quảng Điền", "thủ công mỹ nghệ"),
        (7, "2", MAM_LU_HUE, HTX_PHU_THUAN, None, "4 sao", "Huyện Phú Vang", None),
        (9, "3", GAO_AN_LO, HTX_AN_LO, None, "3 sao", None, None),
    )
    assert report.meta.year == 2021  # from the file name, nothing else says it


def test_columns_in_any_order_decision_in_one_cell_merged_producer_repeated_header(
    tmp_path: Path,
) -> None:
    header = ["Hạng sao", "Tên sản phẩm", "Số TT", "Tên chủ thể", "Số, ngày quyết định",
              "Ngày công nhận", "Tổng điểm"]
    decision = "QĐ số 3610/QĐ-UBND ngày 29/12/2022"
    sheet = Sheet("Sheet1", [
        ["UBND HUYỆN THĂNG BÌNH"],
        [],
        [],
        header,
        ["3 sao", BO_KHO, 1, "Cơ sở Thu Ba", decision, dt.date(2022, 12, 29), 65],
        ["4 sao", TOI_DORI, 2, "HTX Tỏi Lý Sơn", None, dt.date(2022, 12, 29), 80.5],
        ["4 sao", "Tỏi đen Lý Sơn DORI", 3, None, None, None, "82,5"],
        header,  # the header printed again on page 2
        ["4 sao", "Cao tỏi đen", 4, "HTX Tỏi Lý Sơn", decision, "29/12/2022", 71],
        ["Cộng", None, None, None, None, None, 290],
    ], merges=["E5:E7", "D6:D7"])  # one decision and one producer merged over their rows
    report = read_report(write_xlsx(tmp_path / "Thang Binh - OCOP 2022.xlsx", [sheet]))

    fields = ("seq", "product_name", "producer", "score", "stars", "decision", "decision_date")
    got = report.rows[[*LINEAGE, *fields]].to_dict("records")
    assert got == expected(
        "Thang Binh - OCOP 2022.xlsx", "Sheet1", fields,
        (5, "1", BO_KHO, "Cơ sở Thu Ba", "65",
         "3 sao", decision, "29/12/2022"),
        (6, "2", TOI_DORI, "HTX Tỏi Lý Sơn", "80.5", "4 sao", decision, "29/12/2022"),
        (7, "3", "Tỏi đen Lý Sơn DORI", "HTX Tỏi Lý Sơn", "82,5", "4 sao", decision, None),
        (9, "4", "Cao tỏi đen", "HTX Tỏi Lý Sơn", "71", "4 sao", decision, "29/12/2022"),
    )
    assert list(report.rows.columns) == [*LINEAGE, "seq", "product_name", "producer", "score",
                                         "stars", "decision", "decision_date"]
    assert report.issues == []
    assert (report.meta.district, report.meta.year) == ("Thăng Bình", 2022)


def test_text_is_cleaned_invisibles_quotes_nfd_and_eth(tmp_path: Path) -> None:
    sheet = Sheet("DS", [
        ["Tên\u00a0sản phẩm", "Chủ  thể", "Hạng\nsao"],  # NBSP, double space, Alt+Enter
        ["Nu\u0301i\u200b“Rượu”\u00ad", "\u00d0ông   Tiến", " 4 sao "],  # NFD ú, ZWSP, soft hyphen
        ["Nu\u0301i\ufeff", "HTX\u00a0Việt Hoàng", "4"],  # NFD, BOM
    ])
    report = read_report(write_xlsx(tmp_path / "t.xlsx", [sheet]))

    assert records(report) == expected(
        "t.xlsx", "DS", ("product_name", "producer", "stars"),
        (2, 'Núi "Rượu"', "Đông Tiến", "4 sao"),
        (3, "Núi", "HTX Việt Hoàng", "4"),
    )


def test_signature_block_ends_the_table(tmp_path: Path) -> None:
    sheet = Sheet("DS", [
        ["STT", "Tên sản phẩm", "Chủ thể", "Xếp hạng", "Ghi chú"],
        [1, GAO_QUAT_MO, HTX_THANH_NIEN, "4 sao"],
        *signature_block(),
        [2, "Sản phẩm sau chữ ký", "HTX X", "3 sao"],
    ])
    report = read_report(write_xlsx(tmp_path / "t.xlsx", [sheet]))

    assert records(report) == expected(
        "t.xlsx", "DS", ("seq", "product_name", "producer", "stars", "note"),
        (2, "1", GAO_QUAT_MO, HTX_THANH_NIEN, "4 sao", None),
    )


def test_numbers_and_dates_keep_a_faithful_text_form(tmp_path: Path) -> None:
    sheet = Sheet("DS", [
        ["Tên sản phẩm", "Số điểm", "Hạng sao", "Ngày QĐ", "Năm"],
        ["A", 72.5, 4.0, dt.datetime(2021, 7, 5), 2021],
        ["B", 0.1, 3, dt.date(2021, 5, 7), "2021"],
        ["C", "95,64/100", "★★★★", "05/07/2021", 2021.0],
    ])
    report = read_report(write_xlsx(tmp_path / "t.xlsx", [sheet]))

    assert records(report) == expected(
        "t.xlsx", "DS", ("product_name", "score", "stars", "decision_date", "year"),
        (2, "A", "72.5", "4", "05/07/2021", "2021"),
        (3, "B", "0.1", "3", "07/05/2021", "2021"),
        (4, "C", "95,64/100", "★★★★", "05/07/2021", "2021"),
    )
    assert report.meta.year == 2021


def test_duplicate_field_column_is_ignored_and_reported_xlsm(tmp_path: Path) -> None:
    sheet = Sheet("DS", [
        ["Tên sản phẩm", "Hạng sao", "Xếp hạng", "Mã vạch"],
        [GAO_QUAT_MO, "4 sao", "4", None],
    ])
    path = write_xlsx(tmp_path / "ds.xlsx", [sheet]).rename(tmp_path / "ds.xlsm")
    report = read_report(path)

    assert records(report) == expected("ds.xlsm", "DS", ("product_name", "stars"),
                                       (2, GAO_QUAT_MO, "4 sao"))
    assert [(i.code, i.column, i.value) for i in report.issues] == [
        ("header.extra_column", "D", "Mã vạch"),
        ("header.duplicate_column", "C", "Xếp hạng"),
        ("period.unknown", None, None),
    ]
