-- RFC 8555 §6.5 nonces become self-authenticating (random bits, expiry and an HMAC under a key derived from the KEK), so
-- handing one out writes nothing; only redeeming one does, by inserting it here, and only the first insert succeeds
-- (issue 8: the two statements per POST of the stored nonces were a third of H2's share of the ACME server's CPU).
-- Nonces issued before this migration fail the HMAC check: clients get badNonce and retry with the fresh one.
DROP TABLE acme_nonce;
CREATE TABLE acme_nonce_redeemed (
    nonce       VARCHAR(64) PRIMARY KEY,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_acme_nonce_redeemed_expires ON acme_nonce_redeemed (expires_at);
