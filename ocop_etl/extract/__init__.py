"""Extract: read a district's OCOP workbook into raw text rows with lineage.

    from ocop_etl.extract import read_report
    report = read_report(path, display_name="quang-nam/thang-binh/2022_ocop.xlsx")
    report.rows      # DataFrame: source_file, source_sheet, source_row, raw fields as text
    report.issues    # file-level warnings (extra columns, unknown period)
    report.meta      # ReportMeta: province, district, year, round, title, legacy encodings…

Modules, in data-path order: ``fileformat`` (sniff, reject), ``workbook`` (calamine grids),
``legacy`` (TCVN3/VNI columns), ``aliases`` + ``header`` (find and map the header),
``phrases`` + ``rows`` (sections, totals, signatures), ``meta`` (period and unit), ``reader``.
"""

from ocop_etl.extract.reader import ExtractedReport, ReportMeta, read_report

__all__ = ["ExtractedReport", "ReportMeta", "read_report"]
