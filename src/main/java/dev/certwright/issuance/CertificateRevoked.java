package dev.certwright.issuance;

import java.time.Instant;

/**
 * A certificate was revoked (RFC 5280 reason name). Published inside the transaction that recorded it, so a listener
 * that changes state does so atomically with the revocation.
 */
public record CertificateRevoked(long certificateId, String serial, String issuer, String reason, Instant revokedAt, String actor) {
}
