package dev.certwright.ca;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;

import dev.certwright.x509.KeySpec;

/**
 * An issuer: one generation of a configured issuer, with its name (the configured name for the first generation,
 * {@code <name>-g<n>} for later ones), its chain (its own certificate first, the root last) and its signing key. The
 * key never leaves this module; a key held in a PKCS#11 token is a handle that signs through the token's provider.
 */
public final class Issuer {

    private final String name;
    private final String logicalName;
    private final int generation;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Provider provider;
    private final KeySpec keySpec;

    Issuer(String name, List<X509Certificate> chain, PrivateKey key) {
        this(name, name, 1, chain, key, null);
    }

    Issuer(String name, String logicalName, int generation, List<X509Certificate> chain, PrivateKey key, Provider provider) {
        this.name = name;
        this.logicalName = logicalName;
        this.generation = generation;
        this.chain = List.copyOf(chain);
        this.key = key;
        this.provider = provider;
        this.keySpec = KeySpec.of(chain.get(0).getPublicKey())
                .orElseThrow(() -> new CaException(CaException.Type.KEYSTORE, "issuer " + name + " has a key of an unsupported kind"));
    }

    /** This generation's name: what certificates, CRLs and URLs name it by. */
    public String name() {
        return name;
    }

    /** The name in ca-config that this is a generation of. */
    public String logicalName() {
        return logicalName;
    }

    /** 1 for the issuer as first created or imported, one more for each rollover. */
    public int generation() {
        return generation;
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

    /** Whether the key is a handle into a PKCS#11 token rather than key material in this process. */
    public boolean hardwareKey() {
        return provider != null;
    }

    PrivateKey key() {
        return key;
    }

    /** A signer for certificates, CRLs and OCSP responder certificates, through the token's provider for a token key. */
    ContentSigner contentSigner() throws OperatorCreationException {
        return ContentSigners.of(keySpec, key, provider);
    }

    /** The same generation with another chain (its certificate installed or renewed); the key is unchanged. */
    Issuer withChain(List<X509Certificate> newChain) {
        return new Issuer(name, logicalName, generation, newChain, key, provider);
    }

    @Override
    public String toString() {
        return "Issuer[" + name + "]";
    }
}
