-- The inventory gauges (certificates by status, issued ones by time left) come from the clustered snapshot too, instead
-- of every node counting the whole inventory once a minute (issue 8: startup and steady load at 10M rows).
ALTER TABLE inventory_snapshot ADD COLUMN expired BIGINT NOT NULL DEFAULT 0;   -- ISSUED, notAfter passed
ALTER TABLE inventory_snapshot ADD COLUMN later BIGINT NOT NULL DEFAULT 0;     -- ISSUED, notAfter beyond 90 days
ALTER TABLE inventory_snapshot ADD COLUMN statuses VARCHAR(200) NOT NULL DEFAULT '';  -- "PENDING=0,ISSUED=5,..."
