-- Renewal of managed certificates (issue 5).
-- renew_at: when the current instance is due (notAfter - renewBefore - jitter), or when the next retry after a failure
-- may run; while a node renews, a short lease. NULL: nothing scheduled (flagged, or no instance yet).
ALTER TABLE managed_certificate ADD COLUMN renew_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE managed_certificate ADD COLUMN renew_attempts INT NOT NULL DEFAULT 0;
ALTER TABLE managed_certificate ADD COLUMN renew_error VARCHAR(2000);
-- Set after certwright.renewal.max-attempts failures: automatic renewal stops until an operator renews by hand.
ALTER TABLE managed_certificate ADD COLUMN renew_flagged_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_managed_certificate_renew_at ON managed_certificate (renew_at);

-- Slots made before this migration: due one third before their current instance expires (the default rule), so that
-- the first scan schedules them; the jitter applies from their next instance on.
UPDATE managed_certificate m SET renew_at = (SELECT c.not_after - (c.not_after - c.not_before) / 3 FROM certificate c
    WHERE c.id = m.current_certificate_id) WHERE m.current_certificate_id IS NOT NULL;
