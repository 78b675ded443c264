package dev.certwright.policy;

import java.nio.file.Path;

/**
 * Where issuer keys are kept (ca-config {@code keyStore}): in the CA keystore, the encrypted PKCS#12 in the
 * database ({@link Type#SOFTWARE}, the default), or in a PKCS#11 token ({@link Type#PKCS11}) through the JDK's
 * SunPKCS11 provider. The PIN is read from the environment variable {@code pinEnv}; it is never in the file.
 *
 * @param tokenLabel the token's label (CKA_LABEL of the token, PKCS#11 v2.40 §5.5 CK_TOKEN_INFO), or null when
 *     {@code slot} names the slot
 * @param slot the slot id, or null when {@code tokenLabel} names the token
 */
public record KeyStoreDefinition(Type type, Path library, String tokenLabel, Long slot, String pinEnv) {

    /** The default: keys in the encrypted PKCS#12 in the database. */
    public static final KeyStoreDefinition SOFTWARE = new KeyStoreDefinition(Type.SOFTWARE, null, null, null, null);

    /** The kind of key store. */
    public enum Type {
        SOFTWARE,
        PKCS11
    }

    public boolean pkcs11() {
        return type == Type.PKCS11;
    }
}
