package dev.certwright.policy;

import java.time.Duration;

import dev.certwright.x509.KeySpec;

/**
 * An issuer as configured: a root when {@code parent} is null, else an intermediate signed by its parent.
 *
 * @param pathLength the basic constraints path length (RFC 5280 §4.2.1.9), or null for no limit
 */
public record IssuerDefinition(String name, String parent, String subject, KeySpec keyAlgorithm, Duration validity,
        Integer pathLength) {

    public boolean root() {
        return parent == null;
    }
}
