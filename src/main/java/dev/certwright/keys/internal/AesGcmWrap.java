package dev.certwright.keys.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import dev.certwright.keys.KeyException;

/**
 * The stored format of a wrapped private key: version (1) | IV (12) | AES-256-GCM ciphertext of the PKCS#8 and tag
 * (128 bits), with {@code "certwright-managed-key:" + context} as additional authenticated data. The format and the
 * AAD prefix are what the database holds: they never change.
 * <p>
 * A KEK kept in a PKCS#11 token comes with the token's provider, which alone can use it: the same AES-GCM
 * (CKM_AES_GCM, PKCS#11 v2.40 §2.14; NIST SP 800-38D) then runs in the token, and the bytes are in the same format, so a
 * key re-wrapped from a keystore KEK to a token KEK (or back) is the same row with other bytes. With a null provider the
 * JDK's providers encrypt, as before.
 */
public final class AesGcmWrap {

    private static final byte WRAP_VERSION = 1;
    private static final int GCM_IV_BYTES = 12;
    private static final int GCM_TAG_BITS = 128;

    private AesGcmWrap() {
    }

    public static byte[] wrap(SecretKey kek, PrivateKey key, String context, SecureRandom random) {
        return wrap(kek, null, key, context, random);
    }

    /** As {@link #wrap(SecretKey, PrivateKey, String, SecureRandom)} with the provider that holds the KEK (null: the JDK's). */
    public static byte[] wrap(SecretKey kek, Provider provider, PrivateKey key, String context, SecureRandom random) {
        byte[] pkcs8 = key.getEncoded();
        try {
            return seal(kek, provider, pkcs8, context, random);
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    public static PrivateKey unwrap(SecretKey kek, byte[] wrapped, String context) {
        return unwrap(kek, null, wrapped, context);
    }

    /** As {@link #unwrap(SecretKey, byte[], String)} with the provider that holds the KEK (null: the JDK's). */
    public static PrivateKey unwrap(SecretKey kek, Provider provider, byte[] wrapped, String context) {
        byte[] pkcs8 = open(kek, provider, wrapped, context);
        try {
            return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(pkcs8));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new KeyException(KeyException.Type.KEY_WRAP, "a managed key cannot be decrypted (wrong key-encryption key or altered data)");
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /**
     * The same key under another KEK and a fresh IV, bound to the same context. The PKCS#8 bytes are carried over as
     * they are, not parsed and encoded again, so the stored key stays byte for byte the key it was (a provider may
     * encode an EC key differently).
     */
    public static byte[] rewrap(SecretKey from, SecretKey to, byte[] wrapped, String context, SecureRandom random) {
        return rewrap(from, null, to, null, wrapped, context, random);
    }

    /** As {@link #rewrap(SecretKey, SecretKey, byte[], String, SecureRandom)}, each KEK with the provider that holds it. */
    public static byte[] rewrap(SecretKey from, Provider fromProvider, SecretKey to, Provider toProvider, byte[] wrapped, String context,
            SecureRandom random) {
        byte[] pkcs8 = open(from, fromProvider, wrapped, context);
        try {
            return seal(to, toProvider, pkcs8, context, random);
        } finally {
            java.util.Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static Cipher cipher(Provider provider) throws GeneralSecurityException {
        return provider == null ? Cipher.getInstance("AES/GCM/NoPadding") : Cipher.getInstance("AES/GCM/NoPadding", provider);
    }

    private static byte[] seal(SecretKey kek, Provider provider, byte[] pkcs8, String context, SecureRandom random) {
        try {
            byte[] iv = new byte[GCM_IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = cipher(provider);
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(GCM_TAG_BITS, iv));
            cipher.updateAAD(aad(context));
            byte[] sealed = cipher.doFinal(pkcs8);
            return ByteBuffer.allocate(1 + iv.length + sealed.length).put(WRAP_VERSION).put(iv).put(sealed).array();
        } catch (GeneralSecurityException | java.security.ProviderException e) {
            throw new KeyException(KeyException.Type.KEY_WRAP, "cannot encrypt a managed key", e);
        }
    }

    /** The PKCS#8 bytes; the caller clears them. */
    private static byte[] open(SecretKey kek, Provider provider, byte[] wrapped, String context) {
        try {
            if (wrapped.length < 1 + GCM_IV_BYTES + 16 || wrapped[0] != WRAP_VERSION) {
                throw new KeyException(KeyException.Type.KEY_WRAP, "a managed key is stored in an unknown format");
            }
            Cipher cipher = cipher(provider);
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(GCM_TAG_BITS, wrapped, 1, GCM_IV_BYTES));
            cipher.updateAAD(aad(context));
            return cipher.doFinal(wrapped, 1 + GCM_IV_BYTES, wrapped.length - 1 - GCM_IV_BYTES);
        } catch (GeneralSecurityException | java.security.ProviderException e) {
            // A token reports a failed tag check as CKR_GENERAL_ERROR inside AEADBadTagException, or as ProviderException.
            throw new KeyException(KeyException.Type.KEY_WRAP, "a managed key cannot be decrypted (wrong key-encryption key or altered data)");
        }
    }

    private static byte[] aad(String context) {
        return ("certwright-managed-key:" + context).getBytes(StandardCharsets.UTF_8);
    }
}
