-- ACME rate limits as GCRA buckets (decision 21): one row per account or identifier holding its theoretical arrival
-- time in epoch microseconds. Taking a token is one conditional UPDATE, whatever the number of recent orders.
CREATE TABLE acme_rate_limit (
    bucket VARCHAR(320) PRIMARY KEY,
    tat    BIGINT       NOT NULL
);

-- Only the old counting rate limits read these.
DROP INDEX ix_acme_order_account_created;
DROP INDEX ix_acme_authorization_identifier;
