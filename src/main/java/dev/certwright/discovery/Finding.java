package dev.certwright.discovery;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import dev.certwright.x509.CertificateView;
import dev.certwright.x509.KeySpec;

/**
 * What is wrong with what an endpoint serves (decision 75). Computed at each sighting from the served chain, the server
 * name asked for and the trust anchors, and stored on the endpoint, so that the inventory can filter and the overview
 * count them.
 */
public enum Finding {
    /** The leaf's notAfter has passed. */
    EXPIRED,
    /** The leaf expires within 30 days. */
    EXPIRING,
    /** The leaf is self-signed: no CA vouches for it. */
    SELF_SIGNED,
    /** The chain ends at an issuer that no trust anchor (the JDK's, or one of Certwright's issuers) is. */
    UNKNOWN_ISSUER,
    /** RSA under 2048 bits, or a key that is not RSA, P-256, P-384 or Ed25519. */
    WEAK_KEY,
    /** A certificate of the chain is signed with SHA-1 (RFC 9155 deprecates it for TLS). */
    SHA1_SIGNATURE,
    /** The leaf does not name the SNI server name asked for (RFC 6125 §6.4). */
    NAME_MISMATCH,
    /** The served chain does not lead from the leaf to a trust anchor: an intermediate is missing or out of order. */
    INCOMPLETE_CHAIN,
    /**
     * The endpoint is a Certwright deploy target's probe endpoint and serves a leaf that is not the current certificate
     * of any slot deploying there: a deployment failed or is pending, or someone put another certificate in place.
     */
    DRIFT;

    static final Duration EXPIRING_WITHIN = Duration.ofDays(30);

    /** The code stored and filtered on: lowercase with hyphens (expired, name-mismatch). */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The finding with this code, or null. */
    public static Finding ofCode(String code) {
        for (Finding f : values()) {
            if (f.code().equals(code)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The findings of a served chain (leaf first).
     *
     * @param serverName the SNI name asked for, or null
     * @param anchors the subjects of the trust anchors
     */
    static Set<Finding> of(List<X509Certificate> chain, String serverName, Set<X500Principal> anchors, Instant now) {
        Set<Finding> out = EnumSet.noneOf(Finding.class);
        X509Certificate leaf = chain.getFirst();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (!notAfter.isAfter(now)) {
            out.add(EXPIRED);
        } else if (notAfter.isBefore(now.plus(EXPIRING_WITHIN))) {
            out.add(EXPIRING);
        }
        for (X509Certificate c : chain) {
            if (weak(c)) {
                out.add(WEAK_KEY);
            }
            // The trust anchor's own signature is not checked by anyone (RFC 5280 §6.1): SHA-1 there is harmless.
            if (c.getSigAlgName().toUpperCase(Locale.ROOT).contains("SHA1") && !selfSigned(c)) {
                out.add(SHA1_SIGNATURE);
            }
        }
        if (serverName != null && !names(leaf, serverName)) {
            out.add(NAME_MISMATCH);
        }
        if (chain.size() == 1 && selfSigned(leaf)) {
            if (!anchors.contains(leaf.getSubjectX500Principal())) {
                out.add(SELF_SIGNED); // its own finding: there is no issuer to know
            }
            return out;
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!chain.get(i).getIssuerX500Principal().equals(chain.get(i + 1).getSubjectX500Principal())) {
                out.add(INCOMPLETE_CHAIN);
            }
        }
        X509Certificate top = chain.getLast();
        if (selfSigned(top)) {
            if (!anchors.contains(top.getSubjectX500Principal())) {
                out.add(UNKNOWN_ISSUER);
            }
        } else if (!anchors.contains(top.getIssuerX500Principal())) {
            // The last certificate served names an issuer nobody has: either the server left out an intermediate, or
            // the root is unknown; with no anchor to tell, it is both.
            out.add(INCOMPLETE_CHAIN);
            out.add(UNKNOWN_ISSUER);
        }
        return out;
    }

    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean weak(X509Certificate c) {
        KeySpec.KeyDescription key = KeySpec.describe(c.getPublicKey());
        return switch (key.family()) {
            case "RSA" -> key.bits() < 2048;
            case "EC" -> !key.name().equals(KeySpec.EC_P256.id()) && !key.name().equals(KeySpec.EC_P384.id());
            case "Ed25519" -> false;
            default -> true;
        };
    }

    /** RFC 6125 §6.4: the DNS SANs name the host, a wildcard standing for exactly the leftmost label. */
    static boolean names(X509Certificate leaf, String host) {
        String name = host.toLowerCase(Locale.ROOT);
        for (String san : CertificateView.of(leaf).dnsNames()) {
            String pattern = san.toLowerCase(Locale.ROOT);
            if (pattern.equals(name)) {
                return true;
            }
            if (pattern.startsWith("*.")) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }
}
