-- BI contract: one row per loaded recognition (history included; is_current marks the latest submission).
-- Owner: OCOP ETL. Stable name and columns; base tables may change underneath.
CREATE VIEW ocop_recognition AS
SELECT
    r.recognition_id,
    r.product_id,
    r.product_name,
    p.product_key,
    r.producer_id,
    r.producer_name,
    r.producer_type,
    r.stars,
    r.score,
    r.is_potential_5_star,
    r.unit_scheme,
    r.province_code,
    pu.name AS province_name,
    r.district_code,
    du.name AS district_name,
    r.commune_code,
    cu.name AS commune_name,
    r.current_province_code,
    cp.name AS current_province_name,
    r.product_group_code,
    g.name AS product_group_name,
    r.criteria_version,
    r.evaluation_year,
    r.decision_no,
    r.decision_date,
    r.issuing_level,
    r.valid_until,
    CASE WHEN f.status = 'loaded' THEN TRUE ELSE FALSE END AS is_current,
    r.warnings,
    r.province_raw AS province_reported,
    r.district_raw AS district_reported,
    r.commune_raw AS commune_reported,
    f.source_file,
    r.source_sheet,
    r.source_row,
    r.load_id,
    r.file_id
FROM fct_recognition r
JOIN ledger_file f ON f.file_id = r.file_id
JOIN dim_product p ON p.product_id = r.product_id
LEFT JOIN dim_admin_unit pu
    ON pu.scheme = r.unit_scheme AND pu.level = 'province' AND pu.code = r.province_code
LEFT JOIN dim_admin_unit du
    ON du.scheme = r.unit_scheme AND du.level = 'district' AND du.code = r.district_code
LEFT JOIN dim_admin_unit cu
    ON cu.scheme = r.unit_scheme AND cu.level = 'commune' AND cu.code = r.commune_code
LEFT JOIN dim_admin_unit cp
    ON cp.scheme = '2025' AND cp.level = 'province' AND cp.code = r.current_province_code
LEFT JOIN dim_product_group g
    ON g.taxonomy = r.product_group_taxonomy AND g.code = r.product_group_code
WHERE f.status IN ('loaded', 'superseded')
