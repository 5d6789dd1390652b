-- BI contract: current certificates still valid that expire within 365 days (filter
-- days_to_expiry for a shorter horizon). PostgreSQL variant: date arithmetic differs by dialect.
CREATE VIEW ocop_certificates_expiring AS
SELECT
    c.*,
    (c.valid_until - CURRENT_DATE) AS days_to_expiry
FROM ocop_product_current c
WHERE c.valid_until IS NOT NULL
  AND c.valid_until >= CURRENT_DATE
  AND c.valid_until <= CURRENT_DATE + 365
