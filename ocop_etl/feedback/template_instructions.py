"""The template's "Hướng dẫn" sheet: how to fill each column, the star rules, where to send.

Written for district officers, in Vietnamese. The per-column advice is keyed by canonical field
so it follows whatever columns the template has.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ocop_etl.feedback.marks import HEADER_FILL, HEADER_FONT, TITLE_FONT, WRAP_TOP
from ocop_etl.feedback.safe_text import write_text
from ocop_etl.schemas import columns as col

INSTRUCTIONS_TITLE = "Hướng dẫn"

# field → (how to fill it, example)
COLUMN_ADVICE: dict[str, tuple[str, str]] = {
    col.SEQ: ("Số thứ tự: 1, 2, 3…", "1"),
    col.PRODUCT_NAME: (
        "Tên sản phẩm đúng như trên quyết định công nhận. Mỗi sản phẩm một dòng; "
        "bộ sản phẩm ghi một dòng.",
        "Trà túi lọc lá sen",
    ),
    col.PRODUCER: (
        "Tên đầy đủ của chủ thể sản xuất (HTX, công ty, hộ kinh doanh…).",
        "HTX Nông nghiệp Thanh niên",
    ),
    col.PRODUCER_TYPE: ("Chọn trong danh sách.", "Hợp tác xã"),
    col.COMMUNE: ("Xã/phường/thị trấn nơi chủ thể sản xuất.", "Xã Quảng Phú"),
    col.DISTRICT: (
        "Huyện/thị xã/thành phố thuộc tỉnh. Quyết định từ 01/7/2025 (không còn cấp huyện): "
        "để trống.",
        "Huyện Quảng Điền",
    ),
    col.PROVINCE: ("Tỉnh/thành phố trực thuộc Trung ương.", "Quảng Ngãi"),
    col.PRODUCT_GROUP: ("Chọn trong danh sách (có thể để trống).", "Thực phẩm chế biến"),
    col.SCORE: (
        "Tổng điểm trung bình của Hội đồng, từ 0 đến 100, tối đa 2 chữ số thập phân.",
        "72,50",
    ),
    col.STARS: ("Chọn: 3 sao, 4 sao, 5 sao hoặc Tiềm năng 5 sao.", "4 sao"),
    col.DECISION_NO: ("Số quyết định công nhận, ghi đúng như trên quyết định.", "3610/QĐ-UBND"),
    col.DECISION_DATE: ("Ngày ký quyết định, dạng ngày/tháng/năm.", "29/12/2022"),
    col.NOTE: ("Ghi chú thêm nếu cần: công nhận lại, nâng hạng…", "Công nhận lại"),
}

STAR_RULES = (
    "Tổng điểm tối đa 100; hạng sao theo số điểm:",
    "• Từ 90 đến 100 điểm: 5 sao — do Trung ương công nhận; cấp tỉnh ghi 'Tiềm năng 5 sao'.",
    "• Từ 70 đến dưới 90 điểm: 4 sao.",
    "• Từ 50 đến dưới 70 điểm: 3 sao.",
    "• Dưới 50 điểm (1–2 sao) hoặc 'không đạt': không đưa vào danh sách công nhận.",
)
GENERAL_RULES = (
    "• Giữ nguyên tên và thứ tự các cột; không xóa dòng tiêu đề.",
    "• Mỗi sản phẩm một dòng; không gộp ô trong bảng; không thêm dòng cộng, tổng hay tiêu đề mục.",
    "• Không đặt mật khẩu cho tệp; lưu dạng Excel (.xlsx).",
)


def add_instructions(
    workbook: Workbook,
    columns: Sequence[tuple[str, str]],
    *,
    taxonomy: str,
    template_version: str,
    province: str | None,
) -> Worksheet:
    """Append the instructions sheet; ``columns`` are the template's (field, header) pairs."""
    ws = workbook.create_sheet(title=INSTRUCTIONS_TITLE)
    for letter, width in (("A", 22), ("B", 80), ("C", 28)):
        ws.column_dimensions[letter].width = width

    ws["A1"] = "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO SẢN PHẨM OCOP"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = f"Phiên bản mẫu: {template_version}. Điền ở trang đầu tiên, từ dòng dưới tiêu đề."

    row = 4
    for c, title in enumerate(("Cột", "Cách ghi", "Ví dụ"), start=1):
        cell = ws.cell(row=row, column=c, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for field, header in columns:
        row += 1
        how, example = COLUMN_ADVICE.get(field, ("", ""))
        if field == col.PRODUCT_GROUP:
            how = f"Chọn nhóm theo Bộ tiêu chí {taxonomy} (có thể để trống)."
        ws.cell(row=row, column=1, value=header).font = Font(bold=True)
        ws.cell(row=row, column=2, value=how).alignment = WRAP_TOP
        write_text(ws.cell(row=row, column=3), example)

    row += 2
    ws.cell(row=row, column=1, value="Hạng sao và số điểm").font = Font(bold=True)
    for line in STAR_RULES:
        row += 1
        ws.cell(row=row, column=2, value=line).alignment = WRAP_TOP
    row += 2
    ws.cell(row=row, column=1, value="Lưu ý chung").font = Font(bold=True)
    for line in GENERAL_RULES:
        row += 1
        ws.cell(row=row, column=2, value=line).alignment = WRAP_TOP
    row += 2
    ws.cell(row=row, column=1, value="Nơi gửi").font = Font(bold=True)
    where = (
        "Gửi tệp về cơ quan thường trực Chương trình OCOP "
        + (f"tỉnh {province}" if province else "cấp tỉnh")
        + " (Sở Nông nghiệp và Môi trường) theo đúng thời hạn. Nếu tệp có lỗi, đơn vị sẽ nhận lại "
        "bản đánh dấu lỗi (tên tệp kết thúc bằng '.loi.xlsx'): sửa theo trang 'Danh sách lỗi' "
        "rồi gửi lại."
    )
    write_text(ws.cell(row=row, column=2), where)
    ws.cell(row=row, column=2).alignment = WRAP_TOP
    return ws
