package dev.certwright.ca;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKey;
import javax.crypto.spec.PBEParameterSpec;

/**
 * The CA's secrets as one encrypted PKCS#12 (RFC 7292): a private-key entry per issuer with its chain, and the
 * key-encryption key as a secret-key entry. Each entry is encrypted with PBES2 (RFC 8018): AES-256-CBC under a key
 * from PBKDF2-HMAC-SHA256 with {@value #PBKDF2_ITERATIONS} iterations, the OWASP 2023 figure.
 */
public final class CaKeystore {

    static final int PBKDF2_ITERATIONS = 600_000;
    static final String KEK_ALIAS = "kek-1";
    private static final String PROTECTION = "PBEWithHmacSHA256AndAES_256";

    private final byte[] bytes;

    private CaKeystore(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps bytes read back from storage. */
    public static CaKeystore of(byte[] bytes) {
        return new CaKeystore(bytes.clone());
    }

    /** The encrypted PKCS#12, to store. */
    public byte[] bytes() {
        return bytes.clone();
    }

    static CaKeystore create(Map<String, Issuer> issuers, SecretKey kek, char[] passphrase, SecureRandom random) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (Issuer issuer : issuers.values()) {
                store.setEntry(issuer.name(), new KeyStore.PrivateKeyEntry(issuer.key(), issuer.chain().toArray(Certificate[]::new)),
                        protection(passphrase, random));
            }
            store.setEntry(KEK_ALIAS, new KeyStore.SecretKeyEntry(kek), protection(passphrase, random));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, passphrase);
            return new CaKeystore(out.toByteArray());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot write the CA keystore", e);
        }
    }

    /** Opens the keystore: issuers by alias, in parent-before-child order, and the key-encryption key. */
    Contents open(char[] passphrase) {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), passphrase);
        } catch (java.io.IOException e) {
            throw new CaException(CaException.Type.KEYSTORE,
                    "the CA keystore cannot be opened: the passphrase (CERTWRIGHT_CA_PASSPHRASE) is wrong or the keystore is damaged");
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be opened", e);
        }
        try {
            Map<String, Issuer> issuers = new LinkedHashMap<>();
            SecretKey kek = null;
            List<String> aliases = new ArrayList<>(java.util.Collections.list(store.aliases()));
            for (String alias : aliases) {
                KeyStore.Entry entry = store.getEntry(alias, new KeyStore.PasswordProtection(passphrase));
                if (entry instanceof KeyStore.PrivateKeyEntry key) {
                    List<X509Certificate> chain = Arrays.stream(key.getCertificateChain()).map(c -> (X509Certificate) c).toList();
                    issuers.put(alias, new Issuer(alias, chain, key.getPrivateKey()));
                } else if (entry instanceof KeyStore.SecretKeyEntry secret && KEK_ALIAS.equals(alias)) {
                    kek = secret.getSecretKey();
                }
            }
            if (kek == null) {
                throw new CaException(CaException.Type.KEYSTORE, "the CA keystore holds no key-encryption key");
            }
            // Parents first: a shorter chain means closer to the root.
            Map<String, Issuer> ordered = new LinkedHashMap<>();
            issuers.values().stream().sorted(java.util.Comparator.comparingInt(i -> i.chain().size()))
                    .forEach(i -> ordered.put(i.name(), i));
            return new Contents(ordered, kek);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "an entry of the CA keystore cannot be read", e);
        }
    }

    private static KeyStore.PasswordProtection protection(char[] passphrase, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new KeyStore.PasswordProtection(passphrase, PROTECTION, new PBEParameterSpec(salt, PBKDF2_ITERATIONS));
    }

    record Contents(Map<String, Issuer> issuers, SecretKey kek) {
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "CaKeystore[" + bytes.length + " bytes, encrypted]";
    }

}
