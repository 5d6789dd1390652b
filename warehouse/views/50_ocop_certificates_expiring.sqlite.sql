-- BI contract: current certificates still valid that expire within 365 days (filter
-- days_to_expiry for a shorter horizon). SQLite variant: date arithmetic differs by dialect.
CREATE VIEW ocop_certificates_expiring AS
SELECT
    c.*,
    CAST(julianday(c.valid_until) - julianday(date('now')) AS INTEGER) AS days_to_expiry
FROM ocop_product_current c
WHERE c.valid_until IS NOT NULL
  AND c.valid_until >= date('now')
  AND c.valid_until <= date('now', '+365 day')
