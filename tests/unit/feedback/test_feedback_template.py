"""write_template / read_template_version: the report template districts fill in."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import ocop_etl
from ocop_etl.feedback.column_labels import is_alias_of
from ocop_etl.feedback.template import (
    DATA_SHEET,
    HEADER_ROW,
    LISTS_SHEET,
    TEMPLATE_VERSION,
    VERSION_NAME,
    read_template_version,
    write_template,
)
from ocop_etl.feedback.template_instructions import INSTRUCTIONS_TITLE

EXPECTED_HEADERS = [
    "STT", "Tên sản phẩm", "Chủ thể", "Loại hình chủ thể", "Xã", "Huyện", "Tỉnh",
    "Nhóm sản phẩm", "Số điểm", "Hạng sao", "Số quyết định", "Ngày quyết định", "Ghi chú",
]
FIELDS = [
    "seq", "product_name", "producer", "producer_type", "commune", "district", "province",
    "product_group", "score", "stars", "decision_no", "decision_date", "note",
]


@pytest.fixture(scope="module")
def template_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tpl") / "mau" / "mau_ocop_2024.xlsx"
    return write_template(
        out, period=2024, province="Quảng Nam", units=["Hội An", "Tam Kỳ", " Hội An "]
    )


def _validations(ws) -> dict[str, object]:
    """First column letter of each validation's range → the validation."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
            for dv in ws.data_validations.dataValidation}


def _list_values(wb, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    ws = wb[sheet]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_title_block_and_headers(template_2024: Path) -> None:
    wb = load_workbook(template_2024)
    assert wb.sheetnames == [DATA_SHEET, INSTRUCTIONS_TITLE, LISTS_SHEET]
    ws = wb[DATA_SHEET]
    assert ws["A1"].value == "UBND TỈNH QUẢNG NAM"
    assert ws["A2"].value == "DANH SÁCH SẢN PHẨM OCOP NĂM 2024"
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == EXPECTED_HEADERS
    assert all(c.font.bold for c in ws[HEADER_ROW])
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def test_every_header_is_recognised_by_the_alias_table(template_2024: Path) -> None:
    ws = load_workbook(template_2024)[DATA_SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    for field, header in zip(FIELDS, headers, strict=True):
        assert is_alias_of(header, field), (field, header)


def test_drop_down_lists_come_from_the_hidden_sheet(template_2024: Path) -> None:
    wb = load_workbook(template_2024)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    dvs = _validations(wb[DATA_SHEET])
    stars = dvs["J"]
    assert stars.type == "list" and stars.formula1.startswith(f"{LISTS_SHEET}!")
    assert _list_values(wb, stars.formula1) == ["3 sao", "4 sao", "5 sao", "Tiềm năng 5 sao"]
    assert stars.errorStyle == "stop"
    groups = _list_values(wb, dvs["H"].formula1)
    assert "Dược liệu và sản phẩm từ dược liệu" in groups
    assert "Thảo dược" not in groups  # 1048 sector, not in force in 2024
    assert len(groups) == len(set(groups))
    assert _list_values(wb, dvs["D"].formula1) == [
        "Hợp tác xã", "Công ty", "Doanh nghiệp tư nhân", "Tổ hợp tác", "Hộ kinh doanh",
        "Cơ sở sản xuất",
    ]
    assert _list_values(wb, dvs["E"].formula1) == ["Hội An", "Tam Kỳ"]  # deduplicated
    assert dvs["F"].formula1 == dvs["E"].formula1
    assert dvs["E"].errorStyle == "information"  # unit list is a suggestion
    score = dvs["I"]
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "100")
    assert dvs["L"].type == "date"


def test_groups_follow_the_period(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "t2021.xlsx", period=2021))
    dvs = _validations(wb[DATA_SHEET])
    groups = _list_values(wb, dvs["H"].formula1)
    with (Path(ocop_etl.__file__).parent / "reference" / "product_groups.csv").open(
        encoding="utf-8"
    ) as fh:
        expected = [r["name"] for r in csv.DictReader(fh) if r["taxonomy"] == "1048/QĐ-TTg"]
    assert groups == expected
    assert "E" not in dvs  # no units given, no unit drop-down
    assert wb[DATA_SHEET]["A1"].value is None  # no province letterhead


def test_number_formats(template_2024: Path) -> None:
    ws = load_workbook(template_2024)[DATA_SHEET]
    first = HEADER_ROW + 1
    assert ws[f"I{first}"].number_format == "0.00"
    assert ws[f"I{first + 500}"].number_format == "0.00"
    assert ws[f"L{first}"].number_format == "dd/mm/yyyy"
    assert ws[f"K{first}"].number_format == "@"


def test_instructions_sheet(template_2024: Path) -> None:
    ws = load_workbook(template_2024)[INSTRUCTIONS_TITLE]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO SẢN PHẨM OCOP" in text
    assert "Từ 70 đến dưới 90 điểm: 4 sao" in text
    assert "Tiềm năng 5 sao" in text
    assert "148/QĐ-TTg" in text
    assert "tỉnh Quảng Nam" in text
    assert TEMPLATE_VERSION in text
    for header in EXPECTED_HEADERS:
        assert header in text


def test_version_is_recorded_and_read_back(template_2024: Path) -> None:
    wb = load_workbook(template_2024)
    assert wb.defined_names[VERSION_NAME].attr_text == f'"{TEMPLATE_VERSION}"'
    assert VERSION_NAME in wb.custom_doc_props.names
    assert TEMPLATE_VERSION in wb.properties.keywords
    assert read_template_version(template_2024) == TEMPLATE_VERSION


def test_read_template_version_of_other_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    assert read_template_version(plain) is None
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    assert read_template_version(junk) is None
    assert read_template_version(tmp_path / "missing.xlsx") is None


def test_province_heading_for_a_city(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "hn.xlsx", province="TP. Hà Nội"))
    assert wb[DATA_SHEET]["A1"].value == "UBND THÀNH PHỐ HÀ NỘI"
    assert wb[DATA_SHEET]["A2"].value == "DANH SÁCH SẢN PHẨM OCOP NĂM ……"
