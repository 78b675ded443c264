package dev.certwright.issuance;

/** A managed certificate slot was created (its first instance is announced by {@link CertificateIssued}). */
public record ManagedCertificateCreated(String name, String profile, String owner, String actor) {
}
