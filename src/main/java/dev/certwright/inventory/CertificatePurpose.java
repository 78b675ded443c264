package dev.certwright.inventory;

/**
 * What a certificate is for, as far as the inventory's own jobs must tell: retention, OCSP pre-signing and the
 * expiry notices leave Certwright's OCSP responder certificates out, which renew themselves on their own schedule.
 * Stored in {@code certificate.purpose}, NULL for {@link #SUBSCRIBER}.
 */
public enum CertificatePurpose {
    /** A certificate issued for, imported or discovered for a subscriber, or one of our issuers: every other one. */
    SUBSCRIBER,
    /** A delegated OCSP responder certificate of one of our issuers (RFC 6960 §4.2.2.2), carrying id-pkix-ocsp-nocheck. */
    OCSP_RESPONDER
}
