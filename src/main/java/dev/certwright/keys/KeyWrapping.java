package dev.certwright.keys;

import java.security.PrivateKey;
import java.security.SecureRandom;

import javax.crypto.SecretKey;

import org.springframework.stereotype.Component;

import dev.certwright.keys.internal.AesGcmWrap;
import dev.certwright.keys.internal.KeyEncryptionKey;

/**
 * Private keys kept in the database, encrypted with AES-256-GCM under the key-encryption key. {@code context} (such as
 * the certificate row's id) is bound as additional authenticated data, so a wrapped key moved to another row will not
 * unwrap. Whoever opens the CA keystore {@link #install installs} the KEK first.
 */
@Component
public class KeyWrapping {

    private final KeyEncryptionKey kek;
    private final SecureRandom random;

    KeyWrapping(KeyEncryptionKey kek, SecureRandom random) {
        this.kek = kek;
        this.random = random;
    }

    /** Makes the key-encryption key of the opened CA keystore current on this node. */
    public void install(SecretKey keyEncryptionKey) {
        kek.install(keyEncryptionKey);
    }

    /** Whether the KEK is installed (the CA keystore has been opened). */
    public boolean installed() {
        return kek.installed();
    }

    /** Encrypts a private key (PKCS#8) under the KEK, bound to {@code context}. */
    public byte[] wrap(PrivateKey key, String context) {
        return AesGcmWrap.wrap(kek.require(), key, context, random);
    }

    /** Reverses {@link #wrap}; fails (KeyException KEY_WRAP) if the bytes or the context were altered. */
    public PrivateKey unwrap(byte[] wrapped, String context) {
        return AesGcmWrap.unwrap(kek.require(), wrapped, context);
    }

    /** The identifier of the key-encryption key now in use, stored beside each wrapped key. */
    public String keyEncryptionKeyId() {
        return KeyEncryptionKey.ID;
    }
}
