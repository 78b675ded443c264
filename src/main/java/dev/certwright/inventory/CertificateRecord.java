package dev.certwright.inventory;

import java.time.Instant;
import java.util.List;

import dev.certwright.x509.SerialNumber;

/** A stored certificate instance, as the inventory holds it. */
public record CertificateRecord(long id, SerialNumber serial, String issuerDn, String issuerName, CertificateStatus status,
        CertificateSource source, String profile, String subject, List<String> sans, String keyAlgorithm, Integer keySize,
        Instant notBefore, Instant notAfter, String fingerprintSha256, byte[] der, String chainPem, String owner,
        List<String> tags, String managedName, Long predecessorId, Long successorId, String requestedBy,
        String failureReason, Instant createdAt, Revocation revocation) {

    /** How a certificate was revoked: when, why and by whom (RFC 5280 reason name). Null when it is not revoked. */
    public record Revocation(Instant revokedAt, String reason, String revokedBy) {
    }

    /** The status a person means: ISSUED past notAfter reads EXPIRED. */
    public String effectiveStatus(Instant now) {
        return status == CertificateStatus.ISSUED && notAfter != null && !notAfter.isAfter(now) ? CertificateStatus.Effective.EXPIRED.name() : status.name();
    }
}
