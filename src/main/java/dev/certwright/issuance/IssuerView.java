package dev.certwright.issuance;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import dev.certwright.ca.KeyLocation;
import dev.certwright.policy.IssuerSource;

/**
 * One issuer generation as the registry knows it.
 *
 * @param name the generation's own name (the configured name for the first generation, {@code <name>-g<n>} after)
 * @param logicalName the configured issuer it is a generation of
 * @param generation 1 for the issuer as first created, one more for each rollover
 * @param subject the subject it was configured (or requested) with
 * @param parent the generation of the parent issuer that certified it; null for a root and for a certificate signed elsewhere
 * @param chain its certificate first, its root last; empty while it awaits its certificate
 * @param predecessor the generation it was rolled over from, or null
 * @param successor the generation it was rolled over to, or null
 * @param switchAt for a successor, when new certificates start coming from it
 * @param crossCertificate for a root rolled over with a cross-certificate: the new root's key certified by the old root
 */
public record IssuerView(String name, String logicalName, int generation, IssuerSource source, IssuerState state, KeyLocation keyLocation,
        String keyAlgorithm, String subject, String parent, List<X509Certificate> chain, String predecessor, String successor, Instant switchAt,
        X509Certificate crossCertificate, Instant createdAt) {

    public IssuerView {
        chain = List.copyOf(chain);
    }

    /** Its own certificate, or null while it awaits one. */
    public X509Certificate certificate() {
        return chain.isEmpty() ? null : chain.get(0);
    }
}
