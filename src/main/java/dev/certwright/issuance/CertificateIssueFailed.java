package dev.certwright.issuance;

/** Signing a reserved serial failed; the row is FAILED. */
public record CertificateIssueFailed(long certificateId, String serial, String issuer, String reason, String actor) {
}
