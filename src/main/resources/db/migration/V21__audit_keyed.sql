-- The audit chains become keyed (issue 19, decision 45). Entries written before this version keep scheme 1 (the plain
-- SHA-256 chain) and are verified as before; entries after the transition have scheme 2: the same kind of SHA-256
-- link plus an HMAC-SHA256 under a key derived from the CA's key-encryption key, which is not in the database.
-- Each head records the last legacy entry of its chain (keyed_after, set when the chain is keyed at the first start
-- with the CA open) and carries an HMAC over its state, so that neither a cut nor a downgrade to scheme 1 goes unseen.
ALTER TABLE audit_log ADD COLUMN scheme SMALLINT DEFAULT 1 NOT NULL;
ALTER TABLE audit_log ADD COLUMN mac CHAR(64);

ALTER TABLE audit_head ADD COLUMN last_id BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE audit_head ADD COLUMN entries BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE audit_head ADD COLUMN keyed_after BIGINT;
ALTER TABLE audit_head ADD COLUMN mac CHAR(64);

UPDATE audit_head SET last_id = COALESCE((SELECT MAX(a.id) FROM audit_log a WHERE a.chain = audit_head.chain), 0),
    entries = (SELECT COUNT(*) FROM audit_log a WHERE a.chain = audit_head.chain);

-- The export pages by id.
CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at, id);
