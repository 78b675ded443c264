package dev.certwright.policy;

/** Where an issuer's key and certificate come from (ca-config {@code issuers.<name>.source}). */
public enum IssuerSource {
    /** Key and certificate made here: a root self-signed, an intermediate signed by its configured parent. */
    GENERATE,
    /** An existing CA certificate and key, read once from files and kept in the key store (or the HSM) from then on. */
    IMPORT,
    /**
     * The key is made here; the certificate comes from a CA kept elsewhere (an offline root): the operator fetches the
     * PKCS#10 request and installs the chain it signed.
     */
    EXTERNAL;

    /** The value as written in ca-config. */
    public String configValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
