-- Revocation: the state of each certificate, CRLs, OCSP responders and pre-signed OCSP responses, and Quartz's tables.

-- revocation_revision orders every revocation change of one issuer (revoke, hold released): the value of
-- issuer_revocation.revision the change set, taken under that row's lock, so commit order equals revision order.
-- A delta CRL built on a base that saw revision R lists the changes with revision > R.
ALTER TABLE certificate ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE certificate ADD COLUMN revocation_reason VARCHAR(32);
ALTER TABLE certificate ADD COLUMN revoked_by VARCHAR(255);
ALTER TABLE certificate ADD COLUMN hold_released_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE certificate ADD COLUMN revocation_revision BIGINT;
CREATE INDEX ix_certificate_revocation ON certificate (issuer_name, revocation_revision);

CREATE TABLE issuer_revocation (
    issuer_name  VARCHAR(64) PRIMARY KEY,
    revision     BIGINT NOT NULL
);

-- Published CRLs, full and delta, per issuer. Full and delta share one numbering (RFC 5280 §5.2.3). The newest row of
-- a kind is the one served; older rows stay until the next publication replaces them, so a CRL is always served.
CREATE TABLE crl (
    issuer_name    VARCHAR(64) NOT NULL,
    crl_number     BIGINT      NOT NULL,
    kind           VARCHAR(8)  NOT NULL,
    base_number    BIGINT,
    this_update    TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update    TIMESTAMP WITH TIME ZONE NOT NULL,
    revision       BIGINT      NOT NULL,
    entries        BIGINT      NOT NULL,
    size_bytes     BIGINT      NOT NULL,
    scheduled      BOOLEAN     NOT NULL,
    der            BYTEA       NOT NULL,
    PRIMARY KEY (issuer_name, crl_number)
);
CREATE INDEX ix_crl_kind ON crl (issuer_name, kind, crl_number);

-- The delegated OCSP responder certificate of each issuer (RFC 6960 §4.2.2.2). The certificate is an inventory row and
-- its key is stored wrapped under the key-encryption key like a managed key. The newest row per issuer signs.
CREATE TABLE ocsp_responder (
    certificate_id  BIGINT PRIMARY KEY REFERENCES certificate (id),
    issuer_name     VARCHAR(64) NOT NULL,
    not_after       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_ocsp_responder_issuer ON ocsp_responder (issuer_name, certificate_id);

-- Pre-signed OCSP responses (RFC 5019), one per certificate, for requests with a SHA-1 CertID and no nonce.
CREATE TABLE ocsp_response (
    issuer_name    VARCHAR(64) NOT NULL,
    serial         VARCHAR(40) NOT NULL,
    this_update    TIMESTAMP WITH TIME ZONE NOT NULL,
    next_update    TIMESTAMP WITH TIME ZONE NOT NULL,
    refresh_after  TIMESTAMP WITH TIME ZONE NOT NULL,
    der            BYTEA NOT NULL,
    PRIMARY KEY (issuer_name, serial)
);
CREATE INDEX ix_ocsp_response_refresh ON ocsp_response (refresh_after);

-- Where the pre-signing job has got to in the certificate table (by id), so that each run reads only new rows.
CREATE TABLE ocsp_presign_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_id  BIGINT NOT NULL
);
INSERT INTO ocsp_presign_state (id, last_id) VALUES (1, 0);
