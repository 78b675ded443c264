package dev.certwright.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the registry hands the CA to sign with: a generation's name, the configured issuer it belongs to, its number,
 * and its chain (its own certificate first, root last). The key is the one the CA holds under the same name.
 */
public record IssuerGeneration(String name, String logicalName, int generation, List<X509Certificate> chain) {

    public IssuerGeneration {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an issuer generation needs its certificate");
        }
    }
}
