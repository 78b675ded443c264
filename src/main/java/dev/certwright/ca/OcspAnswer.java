package dev.certwright.ca;

import java.time.Instant;

import org.bouncycastle.cert.ocsp.CertificateID;

import dev.certwright.x509.RevocationReason;

/**
 * What the responder says about one certificate (RFC 6960 §4.2.1 SingleResponse): good, revoked with time and reason,
 * or unknown, valid from thisUpdate to nextUpdate.
 */
public record OcspAnswer(CertificateID id, Status status, Instant revokedAt, RevocationReason reason) {

    /** RFC 6960 §2.2 certificate status values. */
    public enum Status {
        GOOD, REVOKED, UNKNOWN
    }

    public static OcspAnswer good(CertificateID id) {
        return new OcspAnswer(id, Status.GOOD, null, null);
    }

    public static OcspAnswer unknown(CertificateID id) {
        return new OcspAnswer(id, Status.UNKNOWN, null, null);
    }

    public static OcspAnswer revoked(CertificateID id, Instant revokedAt, RevocationReason reason) {
        return new OcspAnswer(id, Status.REVOKED, revokedAt, reason);
    }

    /**
     * RFC 6960 §2.2: a serial that was reserved but never issued is "revoked", reason certificateHold, revocationTime
     * 1970-01-01T00:00:00Z; the response then carries the extended revoked definition extension (§4.4.8).
     */
    public static OcspAnswer nonIssued(CertificateID id) {
        return new OcspAnswer(id, Status.REVOKED, Instant.EPOCH, RevocationReason.certificateHold);
    }

    /** Whether this is the §2.2 answer for a non-issued serial. */
    public boolean isNonIssued() {
        return status == Status.REVOKED && Instant.EPOCH.equals(revokedAt) && reason == RevocationReason.certificateHold;
    }
}
