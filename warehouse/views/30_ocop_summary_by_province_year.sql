-- BI contract: counts of current recognitions by province (as reported and after the 2025
-- reform), evaluation year and stars.
CREATE VIEW ocop_summary_by_province_year AS
SELECT
    o.province_code,
    o.province_name,
    o.current_province_code,
    o.current_province_name,
    o.evaluation_year,
    o.stars,
    o.is_potential_5_star,
    COUNT(*) AS recognitions,
    COUNT(DISTINCT o.product_id) AS products,
    COUNT(DISTINCT o.producer_id) AS producers
FROM ocop_recognition o
WHERE o.is_current
GROUP BY
    o.province_code, o.province_name, o.current_province_code, o.current_province_name,
    o.evaluation_year, o.stars, o.is_potential_5_star
