"""Sheets typed in TCVN3 (.VnTime) and VNI-Windows fonts are decoded per column."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocop_etl.extract import read_report

from .builders import (
    DUOC_THAO_LILA,
    GAO_QUAT_MO,
    HTX_LE_MINH,
    HTX_THANH_NIEN,
    RUOU_SIM,
    TINH_DAU,
    TRA_LILA,
    Sheet,
    to_tcvn3,
    to_vni,
    write_ods,
    write_xls,
    write_xlsx,
)


def tcvn3_sheet() -> Sheet:
    t = to_tcvn3

    def caps(s: str) -> str:
        return to_tcvn3(s, capitals_font=True)

    return Sheet("DS", [
        [caps("UBND HUYỆN THĂNG BÌNH")],
        [caps("DANH SÁCH SẢN PHẨM OCOP NĂM 2022")],
        [t("STT"), t("Tên sản phẩm"), t("Chủ thể"), t("Hạng sao")],
        [1, t(GAO_QUAT_MO), t(HTX_THANH_NIEN), t("4 sao")],
        [2, t(TINH_DAU), t("Hợp tác xã Trường Hải"), 3],  # ư is U+00AD in TCVN3
    ], font=".VnTime", fonts={"A1": ".VnTimeH", "A2": ".VnTimeH"})


def vni_sheet() -> Sheet:
    v = to_vni
    return Sheet("DS", [
        [v("UBND HUYỆN ĐAK PƠ")],
        [v("DANH SÁCH SẢN PHẨM OCOP NĂM 2024")],
        [v("STT"), v("Tên sản phẩm"), v("Chủ thể"), v("Hạng sao")],
        [1, v(TRA_LILA), v(DUOC_THAO_LILA), v("3 sao")],
        [2, v(RUOU_SIM), v(HTX_LE_MINH), 4],
    ], font="VNI-Times")


def test_encoders_write_what_the_reference_charts_show() -> None:
    assert to_tcvn3("Hợp tác xã Đắk Lắk Trường") == "Hîp t¸c x· §¾k L¾k Tr\u00adêng"
    assert to_vni("Hợp tác xã Đắk Lắk Trường Việt") == "Hôïp taùc xaõ Ñaék Laék Tröôøng Vieät"


@pytest.mark.parametrize("writer, suffix", [(write_xlsx, ".xlsx"), (write_xls, ".xls")])
def test_tcvn3_sheet_is_decoded_from_its_fonts(tmp_path: Path, writer, suffix: str) -> None:
    report = read_report(writer(tmp_path / f"tb{suffix}", [tcvn3_sheet()]))

    assert report.rows.to_dict("records") == [
        {"source_file": f"tb{suffix}", "source_sheet": "DS", "source_row": 4, "seq": "1",
         "product_name": GAO_QUAT_MO, "producer": HTX_THANH_NIEN, "stars": "4 sao"},
        {"source_file": f"tb{suffix}", "source_sheet": "DS", "source_row": 5, "seq": "2",
         "product_name": TINH_DAU, "producer": "Hợp tác xã Trường Hải", "stars": "3"},
    ]
    # The capitals font (.VnTimeH) title decodes to capitals; the unit is read from it.
    assert report.meta.title == "DANH SÁCH SẢN PHẨM OCOP NĂM 2022"
    assert (report.meta.district, report.meta.year) == ("Thăng Bình", 2022)
    assert report.meta.legacy_encoding == {
        "seq": "tcvn3", "product_name": "tcvn3", "producer": "tcvn3", "stars": "tcvn3",
    }


@pytest.mark.parametrize("writer, suffix", [(write_xlsx, ".xlsx"), (write_xls, ".xls"),
                                            (write_ods, ".ods")])
def test_vni_sheet_is_decoded_from_fonts_or_characters(tmp_path: Path, writer, suffix: str) -> None:
    # .ods carries no font here: the characters of the whole sheet decide.
    report = read_report(writer(tmp_path / f"dp{suffix}", [vni_sheet()]))

    assert report.rows.to_dict("records") == [
        {"source_file": f"dp{suffix}", "source_sheet": "DS", "source_row": 4, "seq": "1",
         "product_name": TRA_LILA, "producer": DUOC_THAO_LILA, "stars": "3 sao"},
        {"source_file": f"dp{suffix}", "source_sheet": "DS", "source_row": 5, "seq": "2",
         "product_name": RUOU_SIM, "producer": HTX_LE_MINH, "stars": "4"},
    ]
    assert report.meta.legacy_encoding == {
        "seq": "vni", "product_name": "vni", "producer": "vni", "stars": "vni",
    }
    assert report.meta.district == "Đak Pơ"


def test_unicode_text_with_only_latin1_letters_is_left_alone(tmp_path: Path) -> None:
    # "Hoà", "Café Müller": Latin-1 letters that look like VNI pairs, in a Unicode font.
    sheet = Sheet("DS", [
        ["Tên sản phẩm", "Chủ thể", "Hạng sao"],
        ["Café Hoà", "Müller Hoà", "4"],
        ["Trà Hoà Vang", "Café Müller", "3"],
    ], font="Times New Roman")
    report = read_report(write_xlsx(tmp_path / "u.xlsx", [sheet]))

    assert report.rows[["product_name", "producer"]].values.tolist() == [
        ["Café Hoà", "Müller Hoà"], ["Trà Hoà Vang", "Café Müller"],
    ]
    assert report.meta.legacy_encoding == {}


def _false_suspect_sheet(font: str | None = None) -> Sheet:
    # 'ñ' and 'ö' are VNI evidence, so the producer column is a suspect; it is Spanish/German.
    return Sheet("DS", [
        ["DANH SÁCH SẢN PHẨM OCOP NĂM 2022"],
        ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao"],
        [1, "Cà phê", "Peña Coffee", "4 sao"],
        [2, "Sô cô la", "Müller Foods", "3 sao"],
        [3, "Tiêu", "Ibañez Farm", "3 sao"],
    ], **({"font": font} if font else {}))


def test_fonts_are_not_read_when_no_style_names_a_legacy_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocop_etl.extract import legacy

    def refuse(*_args: object) -> dict:
        raise AssertionError("the workbook was opened for its fonts")

    path = write_xlsx(tmp_path / "ds.xlsx", [_false_suspect_sheet()])
    assert legacy._may_name_legacy_fonts(path.read_bytes(), legacy.Container.OOXML) is False
    monkeypatch.setattr(legacy, "_fonts_openpyxl", refuse)
    report = read_report(path)
    assert report.rows["producer"].tolist() == ["Peña Coffee", "Müller Foods", "Ibañez Farm"]
    assert report.meta.legacy_encoding == {}


def test_fonts_are_read_when_a_style_names_a_legacy_font(tmp_path: Path) -> None:
    from ocop_etl.extract import legacy

    path = write_xlsx(tmp_path / "ds.xlsx", [_false_suspect_sheet(font="VNI-Times")])
    assert legacy._may_name_legacy_fonts(path.read_bytes(), legacy.Container.OOXML) is True
    assert legacy._may_name_legacy_fonts(b"", legacy.Container.XLS) is True
