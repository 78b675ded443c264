package dev.certwright.issuance;

import java.time.Instant;

/** A certificateHold was released: the certificate is valid again. Published inside the transaction that recorded it. */
public record CertificateHoldReleased(long certificateId, String serial, String issuer, Instant releasedAt, String actor) {
}
