-- Operations contract: one row per processing attempt of a file.
CREATE VIEW etl_file_status AS
SELECT
    f.file_id,
    f.source_file,
    f.source_path,
    f.status,
    f.rows_total,
    f.rows_loaded,
    f.rows_rejected,
    f.warnings,
    f.reason_code,
    f.reason_en,
    f.reason_vi,
    f.processed_at AS loaded_at,
    f.reporting_province,
    f.reporting_district,
    f.period_year,
    f.period_round,
    f.byte_sha256,
    f.archive_path,
    f.feedback_path,
    f.superseded_by_file_id,
    f.load_id,
    f.flow_run_id
FROM ledger_file f
