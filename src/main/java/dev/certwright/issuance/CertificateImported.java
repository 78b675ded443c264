package dev.certwright.issuance;

/** A certificate issued elsewhere entered the inventory. */
public record CertificateImported(long certificateId, String serial, String issuerDn, String owner, String actor) {
}
