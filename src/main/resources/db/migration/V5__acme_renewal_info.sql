-- ACME Renewal Information (RFC 9773) and replacement orders.

-- Set by an operator during an incident (POST /api/v1/acme/renewal-info/advance): the certificate's suggested renewal
-- window moves into the past, so ARI-aware clients renew at once.
ALTER TABLE certificate ADD COLUMN renewal_advanced_at TIMESTAMP WITH TIME ZONE;

-- RFC 9773 §5: the certificate an order replaces; the new certificate becomes its successor.
ALTER TABLE acme_order ADD COLUMN replaces_certificate_id BIGINT REFERENCES certificate (id);
CREATE INDEX ix_acme_order_replaces ON acme_order (replaces_certificate_id);

-- RFC 8555 §7.3.4 external account binding keys. The HMAC key is not stored: it is derived from the key-encryption
-- key and the kid (CertificateAuthority.deriveSecret), so every node can check a binding and no table holds the key.
-- A key binds one account; dns_names and profiles (one per line, empty: no restriction) limit that account's orders.
CREATE TABLE acme_eab_key (
    kid         VARCHAR(64)   PRIMARY KEY,
    owner       VARCHAR(255)  NOT NULL,
    dns_names   VARCHAR(4096) NOT NULL DEFAULT '',
    profiles    VARCHAR(1024) NOT NULL DEFAULT '',
    account_id  BIGINT REFERENCES acme_account (id),
    created_by  VARCHAR(255)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

-- Rate limits count recent orders per account and per identifier.
CREATE INDEX ix_acme_order_account_created ON acme_order (account_id, created_at);
CREATE INDEX ix_acme_authorization_identifier ON acme_authorization (identifier_value, order_id);
