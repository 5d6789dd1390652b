-- BI contract: the latest recognition of each product among current submissions.
CREATE VIEW ocop_product_current AS
SELECT *
FROM (
    SELECT
        o.*,
        ROW_NUMBER() OVER (
            PARTITION BY o.product_id
            ORDER BY
                CASE WHEN o.decision_date IS NULL THEN 1 ELSE 0 END,
                o.decision_date DESC,
                o.evaluation_year DESC,
                o.recognition_id DESC
        ) AS recency_rank
    FROM ocop_recognition o
    WHERE o.is_current
) ranked
WHERE ranked.recency_rank = 1
