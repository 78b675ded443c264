package dev.certwright.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.certwright.x509.KeySpec;

/**
 * An issuer: its name, its chain (its own certificate first, the root last) and its signing key. The key never
 * leaves this module.
 */
public final class Issuer {

    private final String name;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final KeySpec keySpec;

    Issuer(String name, List<X509Certificate> chain, PrivateKey key) {
        this.name = name;
        this.chain = List.copyOf(chain);
        this.key = key;
        this.keySpec = KeySpec.of(chain.get(0).getPublicKey())
                .orElseThrow(() -> new CaException(CaException.Type.KEYSTORE, "issuer " + name + " has a key of an unsupported kind"));
    }

    public String name() {
        return name;
    }

    /** The issuer's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The issuer's certificate first, its root last. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public KeySpec keySpec() {
        return keySpec;
    }

    PrivateKey key() {
        return key;
    }

    @Override
    public String toString() {
        return "Issuer[" + name + "]";
    }
}
