package dev.certwright.keys.internal;

import javax.crypto.SecretKey;

import org.springframework.stereotype.Component;

import dev.certwright.keys.KeyException;

/** The key-encryption key of this node, in memory only, once the CA keystore has been opened. */
@Component
public class KeyEncryptionKey {

    /** The alias of the KEK entry in the CA keystore, stored beside each wrapped key as its key id. */
    public static final String ID = "kek-1";

    private volatile SecretKey kek;

    public void install(SecretKey key) {
        this.kek = key;
    }

    public boolean installed() {
        return kek != null;
    }

    /** The KEK, or NOT_INSTALLED while the CA keystore has not been opened. */
    public SecretKey require() {
        SecretKey key = kek;
        if (key == null) {
            throw new KeyException(KeyException.Type.NOT_INSTALLED, "the CA is not installed yet");
        }
        return key;
    }
}
