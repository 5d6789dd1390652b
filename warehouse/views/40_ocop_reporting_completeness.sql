-- BI contract: for each district of a province that has reported for a period, whether the
-- district reported (itself, or covered by a province-wide report), when, and how often.
CREATE VIEW ocop_reporting_completeness AS
WITH periods AS (
    SELECT DISTINCT reporting_province_code AS province_code, period_year
    FROM ledger_file
    WHERE status IN ('loaded', 'superseded')
      AND reporting_province_code IS NOT NULL
      AND period_year IS NOT NULL
),
district_submissions AS (
    SELECT reporting_district_code AS district_code, period_year,
           COUNT(*) AS submissions, MAX(processed_at) AS last_loaded_at
    FROM ledger_file
    WHERE status IN ('loaded', 'superseded') AND reporting_district_code IS NOT NULL
    GROUP BY reporting_district_code, period_year
),
province_submissions AS (
    SELECT reporting_province_code AS province_code, period_year,
           COUNT(*) AS submissions, MAX(processed_at) AS last_loaded_at
    FROM ledger_file
    WHERE status IN ('loaded', 'superseded')
      AND reporting_district_code IS NULL AND reporting_province_code IS NOT NULL
    GROUP BY reporting_province_code, period_year
)
SELECT
    p.province_code,
    pu.name AS province_name,
    d.code AS district_code,
    d.name AS district_name,
    p.period_year,
    CASE WHEN ds.submissions IS NOT NULL OR ps.submissions IS NOT NULL THEN TRUE ELSE FALSE END
        AS has_reported,
    CASE
        WHEN ds.submissions IS NOT NULL THEN 'district'
        WHEN ps.submissions IS NOT NULL THEN 'province'
    END AS reported_by,
    COALESCE(ds.last_loaded_at, ps.last_loaded_at) AS last_loaded_at,
    COALESCE(ds.submissions, 0) AS district_submissions
FROM periods p
JOIN dim_admin_unit d
    ON d.scheme = 'pre2025' AND d.level = 'district' AND d.province_code = p.province_code
LEFT JOIN dim_admin_unit pu
    ON pu.scheme = 'pre2025' AND pu.level = 'province' AND pu.code = p.province_code
LEFT JOIN district_submissions ds
    ON ds.district_code = d.code AND ds.period_year = p.period_year
LEFT JOIN province_submissions ps
    ON ps.province_code = p.province_code AND ps.period_year = p.period_year
