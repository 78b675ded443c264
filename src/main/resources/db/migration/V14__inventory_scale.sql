-- Inventory at scale (issue 8): the "unrevoked, expiring between now and then" range that the overview, the expiry
-- filter and notices count, as one index that answers it alone (an index-only scan on PostgreSQL), and the overview's
-- figures precomputed once a minute for inventories too large to count per page view.
CREATE INDEX ix_certificate_status_not_after ON certificate (status, not_after);

CREATE TABLE inventory_snapshot (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    computed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    took_ms      BIGINT NOT NULL,
    within7      BIGINT NOT NULL,
    within30     BIGINT NOT NULL,
    within90     BIGINT NOT NULL,
    weeks        VARCHAR(1000) NOT NULL   -- expirations per week for the next 13 weeks, comma-separated
);
