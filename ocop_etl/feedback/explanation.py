"""The "Giải thích" sheet: a one-page letter explaining why a whole file was rejected.

A rejected file has no highlighted rows to look at, so the officer needs the reason, what to do
and where the template comes from, in plain Vietnamese, on the first sheet they see.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ocop_etl.feedback.marks import TEMPLATE_COMMAND, TITLE_FONT, WRAP_TOP
from ocop_etl.feedback.safe_text import write_text
from ocop_etl.issues import Issue

EXPLANATION_TITLE = "Giải thích"
HEADING = "TỆP BÁO CÁO CHƯA ĐƯỢC TIẾP NHẬN"

WHAT_TO_DO = (
    "1. Đọc lý do ở trên và sửa tệp theo hướng dẫn.",
    "2. Nên chép dữ liệu sang mẫu báo cáo chuẩn: mỗi sản phẩm một dòng, giữ nguyên tên các cột, "
    "không gộp ô trong bảng, không thêm dòng cộng/tổng.",
    "3. Lưu tệp dưới dạng Excel (.xlsx), không đặt mật khẩu, rồi gửi lại.",
    "Toàn bộ tệp chưa được đưa vào cơ sở dữ liệu; "
    "sau khi gửi lại, tệp sẽ được kiểm tra lại từ đầu.",
)
TEMPLATE_HOW = (
    f"Mẫu báo cáo chuẩn: cán bộ tổng hợp cấp tỉnh tạo bằng lệnh '{TEMPLATE_COMMAND}' "
    "và gửi cho đơn vị; mẫu có sẵn danh mục chọn hạng sao, nhóm sản phẩm và trang 'Hướng dẫn'."
)


def add_explanation(
    workbook: Workbook, file_issues: Sequence[Issue], file_name: str, *, index: int = 0
) -> Worksheet:
    """Insert the explanation sheet at ``index`` for the file-level ``file_issues``."""
    ws = workbook.create_sheet(title=EXPLANATION_TITLE, index=index)
    ws.column_dimensions["A"].width = 110
    ws.sheet_properties.tabColor = "C00000"

    row = 1
    ws.cell(row=row, column=1, value=HEADING).font = TITLE_FONT
    row += 2
    label = ws.cell(row=row, column=1)
    write_text(label, f"Tệp: {file_name}")
    label.font = Font(bold=True)
    row += 2
    ws.cell(row=row, column=1, value="Lý do:").font = Font(bold=True)
    for issue in file_issues:
        row += 1
        cell = ws.cell(row=row, column=1)
        write_text(cell, f"• {issue.message_vi}  (mã lỗi: {issue.code})")
        cell.alignment = WRAP_TOP
    row += 2
    ws.cell(row=row, column=1, value="Cần làm gì:").font = Font(bold=True)
    for line in WHAT_TO_DO:
        row += 1
        ws.cell(row=row, column=1, value=line).alignment = WRAP_TOP
    row += 2
    ws.cell(row=row, column=1, value="Lấy mẫu báo cáo:").font = Font(bold=True)
    row += 1
    ws.cell(row=row, column=1, value=TEMPLATE_HOW).alignment = Alignment(wrap_text=True)

    # One printed page, as it may be printed and attached to the official reply.
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:A{row}"
    return ws
