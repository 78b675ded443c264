-- The issuer registry (issue 21): every generation of every configured issuer, whatever its source, with its state and
-- certificate. The CA keystore keeps the keys (or, for keys in a PKCS#11 token, nothing: key_location says where);
-- this table is the truth about certificates, states and the line of generations. An install from before this table
-- gets its rows at the first start that sees it, from the keystore's entries (the certificates live there).
CREATE TABLE ca_issuer (
    name              VARCHAR(64)   PRIMARY KEY,
    logical_name      VARCHAR(64)   NOT NULL,
    generation        INTEGER       NOT NULL,
    source            VARCHAR(16)   NOT NULL,
    status            VARCHAR(24)   NOT NULL,
    key_location      VARCHAR(16)   NOT NULL,
    key_algorithm     VARCHAR(16)   NOT NULL,
    public_key        BYTEA         NOT NULL,
    subject           VARCHAR(1024) NOT NULL,
    path_length       INTEGER,
    parent_name       VARCHAR(64),
    certificate       BYTEA,
    chain_pem         TEXT,
    predecessor       VARCHAR(64),
    successor         VARCHAR(64),
    switch_at         TIMESTAMP WITH TIME ZONE,
    cross_certificate BYTEA,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_ca_issuer_generation UNIQUE (logical_name, generation)
);

-- Each write of the keystore (an issuer added, a key-encryption key rotated) increments it, so that a node knows when
-- another one changed it and a writer can tell that it still has the latest.
ALTER TABLE ca_keystore ADD COLUMN version BIGINT DEFAULT 1 NOT NULL;
