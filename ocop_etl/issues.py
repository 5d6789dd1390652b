"""Issue records and the catalogue of stable issue codes.

A row-level problem is an ``Issue`` (data, not an exception). Every code lives in ``CATALOGUE``
with its severity, a Vietnamese message for the district officer and an English one for
operators. ``docs/issue-codes.md`` is generated from this table (``ocop-etl codes``) and a test
keeps the two in sync, so the codes are documented in exactly one place.

Severity:
- ``error``   rejects the row (kept in the rejected-row store, never silently dropped);
- ``warning`` loads the row and records the warning;
- ``file``    rejects the whole file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "file"]


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class IssueSpec:
    code: str
    severity: Severity
    en: str
    vi: str
    fix_vi: str = ""

    def format_en(self, **ctx: object) -> str:
        return self.en.format_map(_SafeDict(ctx))

    def format_vi(self, **ctx: object) -> str:
        return self._vi(_SafeDict(ctx))

    def _vi(self, fields: _SafeDict) -> str:
        return f"{self.vi.format_map(fields)} {self.fix_vi}".strip()


def _spec(code: str, severity: Severity, en: str, vi: str, fix_vi: str = "") -> IssueSpec:
    return IssueSpec(code, severity, en, vi, fix_vi)


CATALOGUE: dict[str, IssueSpec] = {
    s.code: s
    for s in [
        # --- whole-file outcomes -------------------------------------------------------------
        _spec(
            "file.unreadable",
            "file",
            "The file is not a readable workbook ({detail}).",
            "Không đọc được tệp: tệp không phải bảng tính Excel/ODS hợp lệ hoặc đã bị hỏng ({detail}).",
            "Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
        ),
        _spec(
            "file.password_protected",
            "file",
            "The workbook is password-protected.",
            "Tệp được đặt mật khẩu nên không đọc được.",
            "Hãy gỡ mật khẩu (File > Info > Protect Workbook) rồi gửi lại.",
        ),
        _spec(
            "file.unsupported_format",
            "file",
            "Unsupported file type '{suffix}'; expected .xlsx, .xlsm, .xls or .ods.",
            "Định dạng tệp '{suffix}' không được hỗ trợ; chỉ nhận .xlsx, .xlsm, .xls hoặc .ods.",
            "Hãy lưu tệp dưới dạng .xlsx rồi gửi lại.",
        ),
        _spec(
            "file.too_large",
            "file",
            "The file is {size_mb} MB, above the {limit_mb} MB limit.",
            "Tệp có dung lượng {size_mb} MB, vượt giới hạn {limit_mb} MB.",
            "Hãy xóa các trang tính và định dạng thừa rồi gửi lại.",
        ),
        _spec(
            "file.zip_bomb",
            "file",
            "The workbook would expand to {size_mb} MB when opened ({detail}), above the {limit_mb} MB limit.",
            "Tệp nén bất thường: khi mở sẽ bung ra {size_mb} MB dữ liệu ({detail}), vượt giới hạn {limit_mb} MB.",
            "Hãy mở tệp bằng Excel, xóa các trang tính và định dạng thừa, lưu lại rồi gửi lại.",
        ),
        _spec(
            "file.too_many_sheets",
            "file",
            "The workbook has {sheets} sheets, above the limit of {limit}.",
            "Tệp có {sheets} trang tính, vượt giới hạn {limit} trang.",
            "Hãy xóa các trang tính không cần thiết, chỉ giữ trang danh sách sản phẩm OCOP.",
        ),
        _spec(
            "file.sheet_too_big",
            "file",
            "Sheet '{sheet}' spans {rows} rows × {columns} columns, above the limit of "
            "{limit_rows} rows or {limit_cells} cells.",
            "Trang '{sheet}' trải rộng {rows} dòng × {columns} cột, vượt giới hạn {limit_rows} dòng "
            "hoặc {limit_cells} ô.",
            "Hãy xóa các ô có dữ liệu nằm xa bảng (ví dụ ở dòng hay cột cuối trang tính) rồi gửi lại.",
        ),
        _spec(
            "cell.too_long",
            "file",
            "A cell ({where}) holds {chars} characters, above the {limit}-character limit.",
            "Một ô ({where}) chứa {chars} ký tự, vượt giới hạn {limit} ký tự của một ô.",
            "Hãy rút gọn nội dung ô đó (Excel chỉ cho phép tối đa 32.767 ký tự một ô) rồi gửi lại.",
        ),
        _spec(
            "file.no_ocop_table",
            "file",
            "No OCOP result table found: no sheet has a header row with a product-name column.",
            "Không tìm thấy bảng kết quả OCOP: không trang tính nào có dòng tiêu đề với cột 'Tên sản phẩm'.",
            "Hãy dùng mẫu báo cáo (lệnh 'ocop-etl template') hoặc thêm dòng tiêu đề cho bảng.",
        ),
        _spec(
            "file.no_product_rows",
            "file",
            "The OCOP table has a header but no product rows.",
            "Bảng kết quả OCOP có dòng tiêu đề nhưng không có dòng sản phẩm nào.",
            "Hãy điền danh sách sản phẩm dưới dòng tiêu đề rồi gửi lại.",
        ),
        _spec(
            "file.no_star_column",
            "file",
            "Sheet '{sheet}': no star column and no star class in the sheet name or section titles.",
            "Trang '{sheet}': không có cột hạng sao và không xác định được hạng sao từ tên trang hay tiêu đề mục.",
            "Hãy thêm cột 'Hạng sao' cho bảng.",
        ),
        # --- header / layout -----------------------------------------------------------------
        _spec(
            "header.extra_column",
            "warning",
            "Column '{header}' is not part of the OCOP report and was ignored.",
            "Cột '{header}' không thuộc mẫu báo cáo OCOP nên đã được bỏ qua.",
            "Không cần sửa nếu cột này chỉ để ghi chú.",
        ),
        _spec(
            "header.duplicate_column",
            "warning",
            "Column '{header}' repeats a field already read from an earlier column; it was ignored.",
            "Cột '{header}' trùng nội dung với một cột đứng trước nên đã được bỏ qua.",
            "Hãy giữ một cột cho mỗi nội dung (ví dụ chỉ một cột 'Hạng sao').",
        ),
        # --- row rules -----------------------------------------------------------------------
        _spec(
            "product.name_missing",
            "error",
            "Product name is empty.",
            "Thiếu tên sản phẩm.",
            "Hãy ghi tên sản phẩm như trên quyết định công nhận.",
        ),
        _spec(
            "product.duplicate_in_file",
            "error",
            "The same product (same producer) appears again at row {first_row}.",
            "Sản phẩm này (cùng chủ thể) đã có ở dòng {first_row}.",
            "Hãy xóa dòng trùng hoặc sửa tên nếu là sản phẩm khác.",
        ),
        _spec(
            "star.missing",
            "error",
            "Star rating is empty.",
            "Thiếu hạng sao.",
            "Hãy ghi hạng sao: 3 sao, 4 sao hoặc 5 sao.",
        ),
        _spec(
            "star.unparseable",
            "error",
            "Star rating '{value}' cannot be read; expected 1–5 stars such as '4 sao'.",
            "Không hiểu được hạng sao '{value}'.",
            "Hãy ghi hạng sao là số từ 1 đến 5, ví dụ '4 sao'.",
        ),
        _spec(
            "star.out_of_range",
            "error",
            "Star rating {value} is outside 1–5.",
            "Hạng sao {value} không hợp lệ (chỉ từ 1 đến 5 sao).",
            "Hãy kiểm tra lại hạng sao trên quyết định.",
        ),
        _spec(
            "star.below_certification",
            "warning",
            "{value} stars is below the 3-star certification level on a recognition list.",
            "Hạng {value} sao thấp hơn mức công nhận OCOP (từ 3 sao trở lên).",
            "Kiểm tra lại: danh sách công nhận chỉ gồm sản phẩm từ 3 sao.",
        ),
        _spec(
            "star.not_rated",
            "error",
            "The product was rated 'not passed' (không đạt); it is not a recognition.",
            "Sản phẩm 'không đạt' nên không phải sản phẩm được công nhận OCOP.",
            "Hãy bỏ dòng này khỏi danh sách công nhận.",
        ),
        _spec(
            "star.score_band_mismatch",
            "warning",
            "{stars} stars does not match score {score} under {criteria} (band gives {band_stars} stars).",
            "Hạng {stars} sao không khớp số điểm {score} theo {criteria} (số điểm này tương ứng {band_stars} sao).",
            "Hãy kiểm tra lại số điểm hoặc hạng sao.",
        ),
        _spec(
            "star.five_star_local_decision",
            "warning",
            "5 stars recognised by a {issuing_level} decision; 5 stars are recognised only centrally.",
            "Hạng 5 sao nhưng quyết định do cấp {issuing_level_vi} ban hành; 5 sao chỉ do Trung ương công nhận.",
            "Nếu là 'tiềm năng 5 sao', hãy ghi rõ 'tiềm năng 5 sao'.",
        ),
        _spec(
            "score.unparseable",
            "error",
            "Score '{value}' cannot be read as a number.",
            "Không đọc được số điểm '{value}'.",
            "Hãy ghi số điểm dạng số, ví dụ 72,5.",
        ),
        _spec(
            "score.out_of_range",
            "error",
            "Score {value} is outside 0–100.",
            "Số điểm {value} nằm ngoài khoảng 0–100.",
            "Hãy kiểm tra lại số điểm.",
        ),
        _spec(
            "date.unparseable",
            "error",
            "Decision date '{value}' cannot be read; expected dd/mm/yyyy.",
            "Không đọc được ngày quyết định '{value}'.",
            "Hãy ghi ngày theo dạng ngày/tháng/năm, ví dụ 29/12/2022.",
        ),
        _spec(
            "date.in_future",
            "error",
            "Decision date {value} is in the future.",
            "Ngày quyết định {value} ở tương lai.",
            "Hãy kiểm tra lại ngày quyết định.",
        ),
        _spec(
            "date.before_programme",
            "error",
            "Decision date {value} is before the OCOP programme (2018).",
            "Ngày quyết định {value} trước khi có Chương trình OCOP (năm 2018).",
            "Hãy kiểm tra lại ngày quyết định.",
        ),
        _spec(
            "producer.missing",
            "warning",
            "Producer (chủ thể) is empty.",
            "Thiếu tên chủ thể sản xuất.",
            "Hãy ghi tên chủ thể (HTX, công ty, hộ kinh doanh…).",
        ),
        _spec(
            "unit.unresolved",
            "warning",
            "Administrative unit '{unit}' could not be resolved{candidates}.",
            "Không xác định được đơn vị hành chính '{unit}'{candidates_vi}.",
            "Hãy ghi đúng tên xã, huyện, tỉnh theo danh mục hành chính.",
        ),
        _spec(
            "period.unknown",
            "warning",
            "The report's period (year) could not be determined from the title, rows, decision or file name.",
            "Không xác định được năm/kỳ báo cáo từ tiêu đề, nội dung, quyết định hoặc tên tệp.",
            "Hãy ghi rõ năm trong tiêu đề, ví dụ 'DANH SÁCH SẢN PHẨM OCOP NĂM 2023'.",
        ),
    ]
}


@dataclass(frozen=True)
class Issue:
    """One problem found in a district's file, pointing back to the cell."""

    code: str
    severity: Severity
    source_file: str
    message_vi: str
    message_en: str
    source_sheet: str | None = None
    source_row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_issue(
    code: str,
    *,
    source_file: str,
    source_sheet: str | None = None,
    source_row: int | None = None,
    column: str | None = None,
    value: object = None,
    **ctx: object,
) -> Issue:
    """Build an ``Issue`` from the catalogue; ``value`` also fills ``{value}`` in messages."""
    spec = CATALOGUE[code]
    text = None if value is None else str(value)
    ctx.setdefault("value", text)
    # One mapping for both messages: validation makes an issue per failing row, and
    # format_vi(**ctx) / format_en(**ctx) would copy the context twice each.
    fields = _SafeDict(ctx)
    return Issue(
        code=code,
        severity=spec.severity,
        source_file=source_file,
        source_sheet=source_sheet,
        source_row=source_row,
        column=column,
        value=text,
        message_vi=spec._vi(fields),
        message_en=spec.en.format_map(fields),
    )


def catalogue_markdown() -> str:
    """The issue-code table for ``docs/issue-codes.md``."""
    lines = [
        "# Issue codes",
        "",
        "Generated from `ocop_etl/issues.py` by `ocop-etl codes`; do not edit by hand.",
        "",
        "Severity: `file` rejects the whole file, `error` rejects the row (kept in `etl_rejected_row`),",
        "`warning` loads the row and records the warning.",
        "",
        "| code | severity | English (operators) | Tiếng Việt (cán bộ huyện/tỉnh) |",
        "|---|---|---|---|",
    ]
    for spec in CATALOGUE.values():
        vi = f"{spec.vi} {spec.fix_vi}".strip().replace("|", "\\|")
        lines.append(
            f"| `{spec.code}` | {spec.severity} | {spec.en.replace('|', chr(92) + '|')} | {vi} |"
        )
    return "\n".join(lines) + "\n"
