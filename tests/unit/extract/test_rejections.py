"""Whole-file outcomes: FileRejected with a stable code, never a half-read file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ocop_etl.errors import FileRejected
from ocop_etl.extract import read_report
from ocop_etl.extract.fileformat import ole2_stream_names

from .builders import (
    GAO_QUAT_MO,
    HTX_THANH_NIEN,
    Sheet,
    write_encrypted_ooxml,
    write_xls,
    write_xlsx,
)


def rejection(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        read_report(path)
    return caught.value


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text("Tên sản phẩm,Hạng sao\nA,4\n", encoding="utf-8")
    err = rejection(path)
    assert (err.code, err.context) == ("file.unsupported_format", {"suffix": ".csv"})


@pytest.mark.parametrize("content", [b"", b"this is not a workbook", b"PK\x03\x04garbage"])
def test_not_a_workbook_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ds.xlsx"
    path.write_bytes(content)
    assert rejection(path).code == "file.unreadable"


def test_truncated_workbook_is_unreadable(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [Sheet("DS", [["Tên sản phẩm", "Hạng sao"], ["A", 4]])])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:900])
    assert rejection(cut).code == "file.unreadable"


def test_zip_that_is_not_a_spreadsheet_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "ds.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert rejection(path).code == "file.unreadable"


def test_encrypted_workbook_is_password_protected(tmp_path: Path) -> None:
    path = write_encrypted_ooxml(tmp_path / "ds.xlsx")
    assert ole2_stream_names(path.read_bytes()) == ["Root Entry", "EncryptionInfo", "EncryptedPackage"]
    assert rejection(path).code == "file.password_protected"


def test_plain_xls_is_an_ole2_file_but_not_encrypted(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "ds.xls", [Sheet("DS", [["Tên sản phẩm", "Hạng sao"], ["A", 4]])])
    assert "EncryptionInfo" not in ole2_stream_names(path.read_bytes())
    assert len(read_report(path).rows) == 1


def test_budget_report_has_no_ocop_table(tmp_path: Path) -> None:
    sheet = Sheet("Du toan", [
        ["UBND HUYỆN THĂNG BÌNH"],
        ["BÁO CÁO DỰ TOÁN KINH PHÍ CHƯƠNG TRÌNH OCOP NĂM 2022"],
        ["STT", "Nội dung", "Dự toán", "Thực hiện"],
        [1, "Hỗ trợ chủ thể", 120000000, 80000000],
    ])
    assert rejection(write_xlsx(tmp_path / "b.xlsx", [sheet])).code == "file.no_ocop_table"


def test_header_without_products_has_no_product_rows(tmp_path: Path) -> None:
    sheet = Sheet("DS", [
        ["DANH SÁCH SẢN PHẨM OCOP NĂM 2022"],
        ["STT", "Tên sản phẩm", "Chủ thể", "Hạng sao"],
        ["(1)", "(2)", "(3)", "(4)"],
        [1], [2], [3],
        ["Tổng cộng: 0 sản phẩm"],
        [None, "NGƯỜI LẬP BIỂU"],
    ])
    assert rejection(write_xlsx(tmp_path / "e.xlsx", [sheet])).code == "file.no_product_rows"


def test_products_without_any_star_source_are_rejected(tmp_path: Path) -> None:
    sheet = Sheet("Sheet1", [
        ["TT", "Sản phẩm", "Chủ thể", "Địa chỉ", "Kết quả chấm điểm"],
        [1, GAO_QUAT_MO, HTX_THANH_NIEN, "Thăng Bình", 96],
    ])
    err = rejection(write_xlsx(tmp_path / "s.xlsx", [sheet]))
    assert (err.code, err.context) == ("file.no_star_column", {"sheet": "Sheet1"})


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert rejection(tmp_path / "gone.xlsx").code == "file.unreadable"
