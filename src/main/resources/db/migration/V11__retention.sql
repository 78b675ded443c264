-- Retention (issue 5): long-expired certificates lose their DER, chain and private key; the row stays as a tombstone
-- (serial reserved, summary searchable) and the audit log keeps its history.
ALTER TABLE certificate ADD COLUMN purged_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_certificate_retention ON certificate (purged_at, not_after);

-- A managed slot may ask for its replaced instance to be revoked (superseded) once the successor is in place.
ALTER TABLE managed_certificate ADD COLUMN revoke_superseded BOOLEAN NOT NULL DEFAULT FALSE;
