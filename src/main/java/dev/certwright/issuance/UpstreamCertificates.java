package dev.certwright.issuance;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import dev.certwright.x509.RevocationReason;

/**
 * Certificates from an upstream ACME CA (RFC 8555) that a profile names with {@code upstream:} (decision 76). The
 * {@code upstream} module provides it with acme4j; issuance records what it returns as it records its own
 * certificates, so renewal, deployment, notices and the pull API treat both alike. The implementation does not call
 * back into issuance.
 */
public interface UpstreamCertificates {

    /**
     * Orders a certificate for these DNS names and this key pair from the named upstream, answering its challenges,
     * and returns it with the upstream's chain. Fails with an {@link IssuanceException} of type UPSTREAM_CA.
     *
     * @param replaces the certificate this one succeeds, sent as ARI {@code replaces} (RFC 9773 §5) when the upstream
     *     offers ARI; null for none
     */
    Obtained obtain(String upstream, List<String> dnsNames, KeyPair keys, X509Certificate replaces, String actor);

    /** Revokes a certificate this upstream issued (RFC 8555 §7.6), signed with the account key. */
    void revoke(String upstream, X509Certificate certificate, RevocationReason reason, String actor);

    /**
     * What the upstream issued.
     *
     * @param chain the upstream's chain above the leaf, as it sent it
     * @param windowStart the start of the ARI suggested renewal window (RFC 9773 §4.2), or null when it has no ARI
     * @param windowEnd its end, or null
     */
    record Obtained(X509Certificate certificate, List<X509Certificate> chain, Instant windowStart, Instant windowEnd) {
        public Obtained {
            chain = List.copyOf(chain);
        }
    }

    /** The issuer name an upstream's certificates carry in the inventory, kept apart from our issuers' names. */
    static String issuerName(String upstream) {
        return "upstream:" + upstream;
    }
}
