"""Builders for the extract test corpus: readable Python that writes real workbooks into tmp_path.

No binary fixtures are committed; every layout and trap of a district's report is drawn here:
title blocks, merged two-row headers, "(1) (2) (3)" rows, section rows, totals, signature
blocks, star-per-sheet workbooks, hidden and helper sheets, legacy TCVN3/VNI fonts, .xls and
.ods files, a password-protected (encrypted OOXML) container.

The product strings are real recognitions copied from shared/samples/real_ocop_rows.csv
(typos such as "rượu sim Qúy Chuẩn" included), so the tests read back what officials wrote.
"""

from __future__ import annotations

import datetime as dt
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import xlwt
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, range_boundaries

# --- real strings (shared/samples/real_ocop_rows.csv) -------------------------------------------

DEN_THON_NU = 'Bộ đèn "Thôn nữ"'
AU_LAC = "Công ty TNHH Gỗ nghệ thuật Âu Lạc"
GAO_QUAT_MO = 'Gạo "Cái quạt mo"'
HTX_THANH_NIEN = "HTX Nông nghiệp Thanh niên Thăng Bình"
TUONG_TRAM = "Tượng trầm Tâm Linh"
TRAM_TUONG_VI = "Cơ sở kinh doanh Trầm hương Tường Vi"
BAO_LA = "Bộ sản phẩm đèn trang trí, rổ, rá"
HTX_BAO_LA = "HTX sản xuất dịch vụ mây tre đan Bao La"
MAM_LU_HUE = "Nước mắm Lú Huế"
HTX_PHU_THUAN = "HTX nước mắm truyền thống Phú Thuận"
THIT_LON = "Thịt lợn hương"
THIEN_THUAN_TUONG = "Công ty CP khai thác khoáng sản Thiên Thuận Tường"
RUOU_SIM = "rượu sim Qúy Chuẩn"
HTX_LE_MINH = "HTX sản xuất kinh doanh dịch vụ Lê Minh"
TRA_LILA = "Bộ sản phẩm trà thảo mộc LiLa"
DUOC_THAO_LILA = "Công ty TNHH Dược Thảo LiLa"
BO_KHO = "Thịt bò khô Thu Ba"
TOI_DORI = "Tỏi Lý Sơn DORI"
GAO_AN_LO = "gạo hữu cơ An Lỗ"
HTX_AN_LO = "Hợp tác xã (HTX) sản xuất, kinh doanh, dịch vụ nông nghiệp An Lỗ"
TINH_DAU = "tinh dầu tràm Trường Hải"

# --- a title block and signature block as districts print them ----------------------------------

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO2 = "Độc lập - Tự do - Hạnh phúc"


def signature_block() -> list[list[object]]:
    """Rows below a table: place/date, signatures, a name, and a "Nơi nhận" list."""
    return [
        [None, None, None, None, "Thăng Bình, ngày 29 tháng 12 năm 2022"],
        [None, "NGƯỜI LẬP BIỂU", None, None, "KT. CHỦ TỊCH"],
        [None, None, None, None, "PHÓ CHỦ TỊCH"],
        [None, None, None, None, "(Đã ký)"],
        [None, "Trần Thị Hoa", None, None, "Nguyễn Văn Bình"],
        [None, "Nơi nhận:", None, None, None],
        ["1", "Sở NN&PTNT", "lưu VT", None, "4 sao"],  # looks like a product; the table is over
    ]


# --- workbook writers -----------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet: ``rows[0]`` is Excel row 1; None is an empty cell."""

    name: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)  # Excel ranges, e.g. "D6:E6"
    hidden: bool = False
    font: str | None = None  # font name of every written cell (legacy-font sheets)
    fonts: dict[str, str] = field(default_factory=dict)  # per cell, e.g. {"A1": ".VnTimeH"}


def _merge_boxes(sheet: Sheet) -> list[tuple[int, int, int, int]]:
    """(first_row, first_col, last_row, last_col), 0-based, of each merge."""
    boxes = []
    for rng in sheet.merges:
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        boxes.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))  # type: ignore[operator]
    return boxes


def _cell_font(sheet: Sheet, r: int, c: int) -> str | None:
    ref = f"{openpyxl.utils.get_column_letter(c + 1)}{r + 1}"
    return sheet.fonts.get(ref, sheet.font)


def write_xlsx(path: Path, sheets: list[Sheet]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                cell = ws.cell(row=r + 1, column=c + 1, value=value)  # type: ignore[arg-type]
                if isinstance(value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
                font = _cell_font(spec, r, c)
                if font:
                    cell.font = Font(name=font)
        for rng in spec.merges:
            ws.merge_cells(rng)
        if spec.hidden:
            ws.sheet_state = "hidden"
    book.save(path)
    return path


def write_xls(path: Path, sheets: list[Sheet]) -> Path:
    """Legacy BIFF8 .xls via xlwt (merges with write_merge, fonts via easyxf)."""
    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple[str | None, bool], xlwt.XFStyle] = {}

    def style(font: str | None, is_date: bool) -> xlwt.XFStyle:
        key = (font, is_date)
        if key not in styles:
            spec = f"font: name {font}" if font else ""
            styles[key] = xlwt.easyxf(spec, num_format_str="dd/mm/yyyy" if is_date else "General")
        return styles[key]

    for spec in sheets:
        ws = book.add_sheet(spec.name)
        boxes = _merge_boxes(spec)
        covered = {
            (r, c) for r0, c0, r1, c1 in boxes for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
        }
        for r0, c0, r1, c1 in boxes:
            value = spec.rows[r0][c0] if c0 < len(spec.rows[r0]) else None
            ws.write_merge(r0, r1, c0, c1, value, style(_cell_font(spec, r0, c0), False))
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in covered:
                    continue
                is_date = isinstance(value, dt.date)
                ws.write(r, c, value, style(_cell_font(spec, r, c), is_date))
        if spec.hidden:
            ws.visibility = 1
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: list[Sheet]) -> Path:
    """OpenDocument via pandas + odfpy: no merges, no fonts (as LibreOffice users send)."""
    with pd.ExcelWriter(path, engine="odf") as writer:
        for spec in sheets:
            width = max(len(r) for r in spec.rows)
            padded = [list(r) + [None] * (width - len(r)) for r in spec.rows]
            frame = pd.DataFrame(padded, dtype=object)
            frame.to_excel(writer, sheet_name=spec.name, header=False, index=False)
    return path


# --- legacy font encoders (Unicode → the cp1252 characters a TCVN3/VNI file shows) ---------------
# Written from the published charts, independently of the decoder under test.

_TCVN3_LOWER = {
    "ă": "¨", "â": "©", "ê": "ª", "ô": "«", "ơ": "¬", "ư": "\u00ad", "đ": "®",
    "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
    "à": "µ", "ả": "¶", "ã": "·", "á": "¸", "ạ": "¹",
    "ằ": "»", "ẳ": "¼", "ẵ": "½", "ắ": "¾", "ặ": "Æ",
    "ầ": "Ç", "ẩ": "È", "ẫ": "É", "ấ": "Ê", "ậ": "Ë",
    "è": "Ì", "ẻ": "Î", "ẽ": "Ï", "é": "Ð", "ẹ": "Ñ",
    "ề": "Ò", "ể": "Ó", "ễ": "Ô", "ế": "Õ", "ệ": "Ö",
    "ì": "×", "ỉ": "Ø", "ĩ": "Ü", "í": "Ý", "ị": "Þ",
    "ò": "ß", "ỏ": "á", "õ": "â", "ó": "ã", "ọ": "ä",
    "ồ": "å", "ổ": "æ", "ỗ": "ç", "ố": "è", "ộ": "é",
    "ờ": "ê", "ở": "ë", "ỡ": "ì", "ớ": "í", "ợ": "î",
    "ù": "ï", "ủ": "ñ", "ũ": "ò", "ú": "ó", "ụ": "ô",
    "ừ": "õ", "ử": "ö", "ữ": "÷", "ứ": "ø", "ự": "ù",
    "ỳ": "ú", "ỷ": "û", "ỹ": "ü", "ý": "ý", "ỵ": "þ",
}


def to_tcvn3(text: str, *, capitals_font: bool = False) -> str:
    """Unicode → TCVN3 as read back. With ``capitals_font`` (.VnTimeH) write lowercase bytes."""
    if capitals_font:
        text = text.lower()
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_LOWER:
            out.append(_TCVN3_LOWER[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            # TCVN3 has no toned capitals: a title in capitals needs the .VnTimeH font.
            raise ValueError(f"{ch!r} cannot be written in TCVN3 with a normal font")
    return "".join(out)


_TONES = {"\u0301": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0323": 4}  # sắc huyền hỏi ngã nặng
_VNI_TONE = "ùøûõï"
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # no tone, then sắc huyền hỏi ngã nặng
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = "íìæóò"


def _vni_char(ch: str) -> str:
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    upper = base.isupper()
    tone = next((_TONES[m] for m in marks if m in _TONES), None)

    def cased(s: str) -> str:
        return s.upper() if upper else s

    if "\u0302" in marks:  # circumflex â ê ô
        return base + cased(_VNI_CIRCUMFLEX[0 if tone is None else tone + 1])
    if "\u0306" in marks:  # breve ă
        return base + cased(_VNI_BREVE[0 if tone is None else tone + 1])
    if "\u031b" in marks:  # horn ơ ư
        horned = cased("ô" if base in "oO" else "ö")
        return horned + (cased(_VNI_TONE[tone]) if tone is not None else "")
    if tone is None:
        return ch
    if base in "iI":
        return cased(_VNI_I[tone])
    if base in "yY" and tone == 4:
        return cased("î")
    return base + cased(_VNI_TONE[tone])


def to_vni(text: str) -> str:
    """Unicode → VNI-Windows as read back: base letter + mark byte ("Hợp" → "Hôïp")."""
    return "".join(_vni_char(ch) for ch in unicodedata.normalize("NFC", text))


# --- a password-protected workbook ------------------------------------------------------------


def write_encrypted_ooxml(path: Path) -> Path:
    """The container Excel writes for "Encrypt with Password": OLE2 with EncryptionInfo.

    A minimal MS-CFB v3 file (512-byte sectors): header, one FAT sector, one directory sector
    with Root Entry, "EncryptionInfo" and "EncryptedPackage" (empty streams — the reader only
    needs the directory to recognise the case).
    """
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts in sector 1
    struct.pack_into("<I", header, 0x38, 4096)  # mini stream cutoff
    struct.pack_into("<IIII", header, 0x3C, end, 0, end, 0)  # no mini FAT, no extra DIFAT
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))  # FAT lives in sector 0
    fat = struct.pack("<128I", fat_sect, end, *([free] * 126))

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        buf = bytearray(128)
        buf[0 : len(raw)] = raw
        struct.pack_into("<HBB", buf, 0x40, len(raw), kind, 1)
        struct.pack_into("<III", buf, 0x44, left, right, child)
        struct.pack_into("<IQ", buf, 0x74, end, 0)  # start sector, size
        return bytes(buf)

    directory = (
        entry("Root Entry", 5, nostream, nostream, 1)
        + entry("EncryptionInfo", 2, nostream, 2, nostream)
        + entry("EncryptedPackage", 2, nostream, nostream, nostream)
        + bytes(128)
    )
    path.write_bytes(bytes(header) + fat + directory)
    return path


def col(letter: str) -> int:
    """0-based index of an Excel column letter (for building rows by letter)."""
    return column_index_from_string(letter) - 1


# --- the reference layout: title block, merged two-row header, numbered row, sections ---------


def district_report_sheet(name: str = "Danh sach") -> Sheet:
    """A provincial list as printed: every trap of the classic layout on one sheet.

    Row 7–8: two-row header with merged parents ("Địa chỉ" over Xã | Huyện, "Kết quả phân
    hạng" over Số điểm | Xếp hạng); row 9: "(1) (2) …"; district section rows; a date cell; a
    total row, a note, the signature block and a product-looking row after it.
    """
    return Sheet(
        name,
        [
            ["UBND TỈNH QUẢNG NAM", None, None, None, MOTTO],  # 1
            [None, None, None, None, MOTTO2],  # 2
            [],  # 3
            ["DANH SÁCH SẢN PHẨM OCOP NĂM 2020 (ĐỢT 2)"],  # 4
            ["(Kèm theo Quyết định số 3610/QĐ-UBND ngày 9/12/2020 của UBND tỉnh)"],  # 5
            [],  # 6
            ["STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", None, "Kết quả phân hạng", None,
             "Ghi chú", "Số điện thoại"],  # 7
            [None, None, None, "Xã", "Huyện", "Số điểm", "Xếp hạng"],  # 8
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"],  # 9
            ["I", "HUYỆN THĂNG BÌNH"],  # 10
            [1, GAO_QUAT_MO, HTX_THANH_NIEN, "TT Hà Lam", "H. Thăng Bình", 72.5, "4 sao", None,
             "0905123456"],  # 11
            ["II", "THỊ XÃ ĐIỆN BÀN"],  # 12
            [2, DEN_THON_NU, AU_LAC, "xã Điện Phong", "TX Điện Bàn", 75, 4,
             dt.datetime(2020, 12, 9)],  # 13
            [3, TUONG_TRAM, TRAM_TUONG_VI, "xã Quế Trung", "H. Nông Sơn", 70.25, "4*"],  # 14
            [None, "Tổng cộng: 3 sản phẩm"],  # 15
            [],  # 16
            ["Ghi chú: số điểm theo Bộ tiêu chí QĐ 1048"],  # 17
            *signature_block(),  # 18–24
        ],
        merges=["A1:C1", "A4:I4", "A5:I5", "A7:A8", "B7:B8", "C7:C8", "D7:E7", "F7:G7",
                "H7:H8", "I7:I8", "B10:I10", "B12:I12"],
    )
