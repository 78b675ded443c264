package dev.certwright.inventory;

/**
 * A certificate row's lifecycle. PENDING: serial reserved, not signed yet. ISSUED: signed and stored (or imported).
 * FAILED: signing did not complete; the serial stays reserved forever. REVOKED: revoked.
 * EXPIRED is not stored: it is an ISSUED certificate past its notAfter.
 */
public enum CertificateStatus {
    PENDING, ISSUED, FAILED, REVOKED
}
