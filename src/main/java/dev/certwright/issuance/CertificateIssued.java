package dev.certwright.issuance;

import java.time.Instant;

/** A certificate was signed and stored. Published inside the transaction that marked it ISSUED. */
public record CertificateIssued(long certificateId, String serial, String issuer, String profile, String owner,
        String source, String managedName, Instant notAfter, String actor) {
}
