-- Upstream ACME CAs (issue 22, decision 76).

-- One ACME account per configured upstream: its key made once, AES-256-GCM under the KEK named by kek_id (as
-- certificate_key), its public JWK thumbprint (RFC 7638) for the dashboard, and the account URL the upstream gave.
CREATE TABLE upstream_account (
    upstream      VARCHAR(64)   PRIMARY KEY,
    directory     VARCHAR(2048) NOT NULL,
    kek_id        VARCHAR(32)   NOT NULL,
    wrapped_key   BYTEA         NOT NULL,
    -- the key's public half (SubjectPublicKeyInfo DER), the JWK the upstream knows the account by
    public_key    BYTEA         NOT NULL,
    thumbprint    VARCHAR(64)   NOT NULL,
    account_url   VARCHAR(2048),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- http-01 key authorizations (RFC 8555 §8.3) being answered, in the database so any node's plain-HTTP listener can
-- serve them; a row is removed when its order is done and expires_at bounds what a crashed node leaves.
CREATE TABLE upstream_http_challenge (
    token              VARCHAR(255)  PRIMARY KEY,
    dns_name           VARCHAR(253)  NOT NULL,
    key_authorization  VARCHAR(512)  NOT NULL,
    expires_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
-- The clean-up job deletes the expired ones.
CREATE INDEX ix_upstream_http_challenge_expires ON upstream_http_challenge (expires_at);

-- The renewal window an upstream suggested for a certificate it issued (ACME ARI, RFC 9773 §4.2), read when the
-- certificate was obtained; renewal picks its due time inside it.
ALTER TABLE certificate ADD COLUMN ari_window_start TIMESTAMP WITH TIME ZONE;
ALTER TABLE certificate ADD COLUMN ari_window_end TIMESTAMP WITH TIME ZONE;
