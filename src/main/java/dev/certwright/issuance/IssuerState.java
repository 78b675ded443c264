package dev.certwright.issuance;

/** Where an issuer generation stands, as operators see it (GET /api/v1/issuers, the dashboard). */
public enum IssuerState {
    /** Its key exists, but its certificate, signed elsewhere, has not been installed: it signs nothing yet. */
    AWAITING_CERTIFICATE,
    /** A rollover's successor before its switch time: it publishes its CRL, but new certificates still come from its predecessor. */
    STANDBY,
    /** It issues. */
    ACTIVE,
    /** Its successor took over: it issues nothing new, and still publishes its CRL and answers OCSP for what it signed. */
    RETIRING,
    /** Nothing left to answer for: no CRL, no OCSP, no signing. */
    RETIRED
}
