-- When to ask an upstream ACME CA again about the renewal window of a certificate it issued (ACME ARI, RFC 9773 §4.3:
-- a client polls renewalInfo, no sooner than its Retry-After). One row per certificate polled; rows of certificates
-- that are no longer polled (renewed, revoked) are removed once they are a day past their time.
CREATE TABLE upstream_renewal_poll (
    certificate_id  BIGINT        PRIMARY KEY,
    next_poll_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    polled_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_upstream_renewal_poll_next ON upstream_renewal_poll (next_poll_at);
