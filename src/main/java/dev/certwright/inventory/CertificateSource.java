package dev.certwright.inventory;

/** Where a certificate came from. */
public enum CertificateSource {
    /** Issued here through the API or as a managed certificate. */
    ISSUED,
    /** Issued here to an ACME client. */
    ACME,
    /** Issued elsewhere and imported. */
    IMPORTED,
    /** Found on an endpoint. */
    DISCOVERED,
    /** One of Certwright's own issuer certificates. */
    CA,
    /** Obtained from an upstream ACME CA named in ca-config {@code upstreams} (decision 76). */
    UPSTREAM
}
