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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    private static final int MAX_OPEN_THREADS = 16;
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

    /**
     * Opens the keystore: issuers by alias, in parent-before-child order, and the key-encryption key. Each entry costs
     * one PBKDF2 of {@value #PBKDF2_ITERATIONS} iterations, the larger part of a server start; the entries are
     * independent, so they are decrypted side by side, each thread with its own {@link KeyStore}.
     */
    Contents open(char[] passphrase) {
        KeyStore checked = load(passphrase);
        List<String> aliases;
        try {
            aliases = Collections.list(checked.aliases());
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be opened", e);
        }
        Map<String, KeyStore.Entry> entries = new ConcurrentHashMap<>();
        // One thread per entry (up to a bound): n equal pieces of work on fewer cores end soonest when none waits for
        // another to finish (3 entries on 2 cores: 1.5 times one entry's time instead of 2).
        int threads = Math.max(1, Math.min(aliases.size(), MAX_OPEN_THREADS));
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("ca-keystore-open-", 1).daemon(true).factory());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                work.add(pool.submit(() -> {
                    KeyStore own = first == 0 ? checked : load(passphrase);
                    for (int i = first; i < aliases.size(); i += threads) {
                        entries.put(aliases.get(i), entry(own, aliases.get(i), passphrase));
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaException(CaException.Type.KEYSTORE, "interrupted while opening the CA keystore", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CaException refusal) {
                throw refusal;
            }
            throw new CaException(CaException.Type.KEYSTORE, "an entry of the CA keystore cannot be read", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Map<String, Issuer> issuers = new LinkedHashMap<>();
        SecretKey kek = null;
        for (String alias : aliases) {
            KeyStore.Entry entry = entries.get(alias);
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
    }

    /** The PKCS#12 checked against its MAC, which proves the passphrase; its entries are still encrypted. */
    private KeyStore load(char[] passphrase) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), passphrase);
            return store;
        } catch (java.io.IOException e) {
            throw new CaException(CaException.Type.KEYSTORE,
                    "the CA keystore cannot be opened: the passphrase (CERTWRIGHT_CA_PASSPHRASE) is wrong or the keystore is damaged");
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be opened", e);
        }
    }

    private static KeyStore.Entry entry(KeyStore store, String alias, char[] passphrase) {
        try {
            return store.getEntry(alias, new KeyStore.PasswordProtection(passphrase));
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
