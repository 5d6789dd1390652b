"""Period and reporting unit: title block, then rows, then decision, then the file's path."""

from __future__ import annotations

from pathlib import Path

from ocop_etl.extract import read_report

from .builders import GAO_QUAT_MO, HTX_THANH_NIEN, MOTTO, Sheet, write_xlsx

HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao"]
PRODUCT = [1, GAO_QUAT_MO, HTX_THANH_NIEN, "4 sao"]


def write(path: Path, *rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(path, [Sheet("DS", [*rows])])


def test_unit_and_year_from_inbox_relative_path(tmp_path: Path) -> None:
    path = write(tmp_path / "inbox" / "quang-nam" / "thang-binh" / "2022_ocop.xlsx", HEADER, PRODUCT)
    report = read_report(path)
    meta = report.meta
    assert (meta.province, meta.district, meta.year, meta.round) == (
        "Quang Nam", "Thang Binh", 2022, None)
    assert report.issues == []


def test_display_name_is_lineage_and_path_source(tmp_path: Path) -> None:
    path = write(tmp_path / "upload-1.xlsx", HEADER, PRODUCT)
    report = read_report(path, display_name="quang-nam/dot-2_2023.xlsx")
    assert report.rows["source_file"].tolist() == ["quang-nam/dot-2_2023.xlsx"]
    assert (report.meta.province, report.meta.district) == ("Quang Nam", None)
    assert (report.meta.year, report.meta.round) == (2023, 2)


def test_nothing_known_gives_none_and_period_unknown(tmp_path: Path) -> None:
    report = read_report(write(tmp_path / "danh sach.xlsx", HEADER, PRODUCT))
    meta = report.meta
    assert (meta.province, meta.district, meta.year, meta.round, meta.title) == (None,) * 5
    assert [(i.code, i.severity, i.source_file) for i in report.issues] == [
        ("period.unknown", "warning", "danh sach.xlsx")
    ]


def test_title_beats_path_and_ambiguous_title_year_is_not_guessed(tmp_path: Path) -> None:
    report = read_report(write(
        tmp_path / "2019.xlsx",
        ["UBND THÀNH PHỐ ĐÀ NẴNG", None, MOTTO],
        ["DANH SÁCH SẢN PHẨM OCOP GIAI ĐOẠN 2021 - 2025"],  # two years: not a period
        HEADER, PRODUCT,
    ))
    assert (report.meta.province, report.meta.district, report.meta.year) == ("Đà Nẵng", None, 2019)


def test_district_level_city_and_year_from_rows(tmp_path: Path) -> None:
    report = read_report(write(
        tmp_path / "ds.xlsx",
        ["UBND THÀNH PHỐ HỘI AN"],
        [*HEADER, "Năm công nhận"],
        [*PRODUCT, 2020],
        [2, "Đèn lồng Hội An (Đèn lồng Dé Lantana)", "Công ty TNHH Dịch vụ Hoa Nam", "4 sao", 2020],
    ))
    assert (report.meta.province, report.meta.district, report.meta.year) == (None, "Hội An", 2020)


def test_year_from_decision_when_title_and_rows_say_nothing(tmp_path: Path) -> None:
    report = read_report(write(
        tmp_path / "ds.xlsx",
        [*HEADER, "Quyết định công nhận"],
        [*PRODUCT, "QĐ số 1810/QĐ-UBND ngày 01/8/2022"],
    ))
    assert report.meta.year == 2022
    assert report.issues == []
