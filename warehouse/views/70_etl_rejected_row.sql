-- Operations contract: every rejected row (and whole-file rejection) with its reasons.
CREATE VIEW etl_rejected_row AS
SELECT
    f.source_file,
    i.source_sheet,
    i.source_row,
    i.code AS issue_code,
    i.severity,
    i.column_name,
    i.value,
    i.message_vi,
    i.message_en,
    rr.raw_json,
    f.file_id,
    i.load_id
FROM dq_issue i
JOIN ledger_file f ON f.file_id = i.file_id
LEFT JOIN dq_rejected_row rr
    ON rr.file_id = i.file_id AND rr.source_sheet = i.source_sheet AND rr.source_row = i.source_row
WHERE i.severity IN ('error', 'file')
