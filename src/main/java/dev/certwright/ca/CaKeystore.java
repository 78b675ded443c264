package dev.certwright.ca;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagFactory;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The CA's secrets as one encrypted PKCS#12 (RFC 7292): a private-key entry per issuer with its chain, and the
 * key-encryption key as a secret-key entry. Each entry is encrypted with PBES2 (RFC 8018): AES-256-CBC, with its own
 * random IV, under a key from PBKDF2-HMAC-SHA256 with {@value #PBKDF2_ITERATIONS} iterations, the OWASP 2023 figure.
 * <p>
 * All entries of one keystore share one random salt, so that the 600,000 iterations are run once per open, not once
 * per entry (decision 66): the file stays a standard PKCS#12 that {@code openssl pkcs12} and {@code keytool} open with
 * the passphrase alone. Keystores written before that, with a salt per entry, still open, one derivation per salt.
 */
public final class CaKeystore {

    static final int PBKDF2_ITERATIONS = 600_000;
    static final String KEK_ALIAS = "kek-1";
    private static final String PROTECTION = "PBEWithHmacSHA256AndAES_256";
    private static final String KDF = "PBKDF2WithHmacSHA256";
    private static final String CIPHER = "AES/CBC/PKCS5Padding";
    private static final int AES_256_BYTES = 32;
    private static final AlgorithmIdentifier HMAC_SHA256 = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256,
            org.bouncycastle.asn1.DERNull.INSTANCE);

    private final byte[] bytes;
    /** What a keystore made by this process holds, so that it is not decrypted again right after; null when read back. */
    private final Contents made;
    /** What {@link #open} found, so that the KEKs are read without a second derivation (decision 68); null until opened. */
    private volatile Contents opened;
    /**
     * The scheme the entries share and the key derived for it, once known (made here, or opened), so that entries can
     * be added without another PBKDF2; null before.
     */
    private volatile Pbes2 sharedScheme;
    private volatile SecretKey sharedKey;

    private CaKeystore(byte[] bytes, Contents made) {
        this.bytes = bytes;
        this.made = made;
    }

    private CaKeystore(byte[] bytes, Contents made, Pbes2 scheme, SecretKey key) {
        this(bytes, made);
        this.sharedScheme = scheme;
        this.sharedKey = key;
    }

    /** Wraps bytes read back from storage. */
    public static CaKeystore of(byte[] bytes) {
        return new CaKeystore(bytes.clone(), null);
    }

    /** The encrypted PKCS#12, to store. */
    public byte[] bytes() {
        return bytes.clone();
    }

    static CaKeystore create(Map<String, Issuer> issuers, SecretKey kek, char[] passphrase, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        Pbes2 scheme = new Pbes2(salt, PBKDF2_ITERATIONS);
        // The JDK writes a secret-key entry only through setEntry, which runs the derivation itself: the issuers' key
        // is derived on a second thread meanwhile (the same salt, so the same key, and a fresh IV per entry).
        CompletableFuture<SecretKey> derived = CompletableFuture.supplyAsync(() -> scheme.derive(passphrase),
                task -> Thread.ofPlatform().name("ca-keystore-derive").daemon(true).start(task));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setEntry(KEK_ALIAS, new KeyStore.SecretKeyEntry(kek),
                    new KeyStore.PasswordProtection(passphrase, PROTECTION, new PBEParameterSpec(salt, PBKDF2_ITERATIONS)));
            SecretKey key = derived.join();
            for (Issuer issuer : issuers.values()) {
                store.setKeyEntry(issuer.name(), scheme.encrypt(key, issuer.key().getEncoded(), random), issuer.chain().toArray(Certificate[]::new));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, passphrase);
            return new CaKeystore(out.toByteArray(), new Contents(parentsFirst(issuers.values()), kek, 1), scheme, key);
        } catch (GeneralSecurityException | IOException | CompletionException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot write the CA keystore", e);
        }
    }

    /**
     * Opens the keystore: issuers by alias, in parent-before-child order, and the key-encryption key. The PKCS#12 MAC
     * proves the passphrase; then each distinct salt costs one PBKDF2 of {@value #PBKDF2_ITERATIONS} iterations (one
     * for a keystore written since decision 66), run side by side when there are several.
     */
    Contents open(char[] passphrase) {
        if (made != null) {
            return made;
        }
        KeyStore store = load(passphrase);
        Contents known = opened;
        if (known != null) {
            return known; // the MAC has just proved the passphrase again; the entries are what they were
        }
        Map<String, Shrouded> shrouded = shroudedEntries();
        List<Pbes2> schemes = shrouded.values().stream().map(Shrouded::scheme).filter(s -> s != null).distinct().toList();
        Map<Pbes2, SecretKey> keys = deriveAll(schemes, passphrase);
        if (schemes.size() == 1) {
            sharedScheme = schemes.getFirst();
            sharedKey = keys.get(sharedScheme);
        }
        Map<String, Issuer> issuers = new LinkedHashMap<>();
        Map<String, SecretKey> secretKeys = new LinkedHashMap<>();
        SecretKey kek = null;
        try {
            for (String alias : Collections.list(store.aliases())) {
                Shrouded entry = shrouded.get(alias.toLowerCase(Locale.ENGLISH));
                if (store.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                    PrivateKey key = entry != null && entry.scheme() != null
                            ? entry.scheme().privateKey(keys.get(entry.scheme()), entry.encrypted())
                            : ((KeyStore.PrivateKeyEntry) store.getEntry(alias, new KeyStore.PasswordProtection(passphrase))).getPrivateKey();
                    List<X509Certificate> chain = Arrays.stream(store.getCertificateChain(alias)).map(c -> (X509Certificate) c).toList();
                    issuers.put(alias, new Issuer(alias, chain, key));
                } else if (store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                    // kek-1, and the KEKs rotations added (kek-2, ...): keys decides which is current (decision 68).
                    SecretKey secret = entry != null && entry.scheme() != null
                            ? entry.scheme().secretKey(keys.get(entry.scheme()), entry.encrypted())
                            : ((KeyStore.SecretKeyEntry) store.getEntry(alias, new KeyStore.PasswordProtection(passphrase))).getSecretKey();
                    secretKeys.put(alias, secret);
                    if (KEK_ALIAS.equals(alias)) {
                        kek = secret;
                    }
                }
            }
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new CaException(CaException.Type.KEYSTORE, "an entry of the CA keystore cannot be read", e);
        }
        if (kek == null) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore holds no key-encryption key");
        }
        Contents contents = new Contents(parentsFirst(issuers.values()), kek, keys.size(), Map.copyOf(secretKeys));
        opened = contents;
        return contents;
    }

    /**
     * The key-encryption keys by alias ({@code kek-1}, and one per KEK rotation): the secret-key entries. A keystore
     * this process made or has opened already is not decrypted again, so the caller that installs the CA from it pays
     * no second derivation; the passphrase is checked either way.
     */
    public Map<String, SecretKey> keyEncryptionKeys(char[] passphrase) {
        return open(passphrase).secretKeys();
    }

    /**
     * This keystore with one more secret-key entry, a new key-encryption key (decision 68). Every other entry is copied as
     * it is stored, still encrypted; the new one is encrypted under the salt the others share, so that opening still
     * costs one PBKDF2 (decision 66). An alias the keystore has already is refused.
     */
    public CaKeystore withSecretKey(String alias, SecretKey key, char[] passphrase, SecureRandom random) {
        KeyStore store = load(passphrase);
        try {
            if (store.containsAlias(alias)) {
                throw new CaException(CaException.Type.KEYSTORE, "the CA keystore has an entry '" + alias + "' already");
            }
            Pbes2 scheme = shroudedEntries().values().stream().map(Shrouded::scheme).filter(s -> s != null).findFirst().orElse(null);
            byte[] salt = scheme != null ? scheme.salt() : new byte[16];
            if (scheme == null) {
                random.nextBytes(salt); // a keystore without an entry in our scheme: a salt of its own
            }
            store.setEntry(alias, new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(passphrase, PROTECTION,
                    new PBEParameterSpec(salt, scheme != null ? scheme.iterations() : PBKDF2_ITERATIONS)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, passphrase);
            return new CaKeystore(out.toByteArray(), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot add '" + alias + "' to the CA keystore", e);
        }
    }

    /**
     * This keystore with more private-key entries (issuers added to the hierarchy): every entry it has is copied as
     * stored, still encrypted, and the new ones are encrypted under the scheme the others share, with the key already
     * derived for it when this keystore was made or opened here (no PBKDF2; one when it was not, or when the entries
     * have salts of their own). An alias the keystore has already is refused.
     */
    public CaKeystore withPrivateKeys(Map<String, Issuer> added, char[] passphrase, SecureRandom random) {
        KeyStore store = load(passphrase);
        try {
            Pbes2 scheme = sharedScheme;
            SecretKey key = sharedKey;
            if (scheme == null || key == null) {
                List<Pbes2> schemes = shroudedEntries().values().stream().map(Shrouded::scheme).filter(x -> x != null).distinct().toList();
                if (schemes.size() == 1) {
                    scheme = schemes.getFirst();
                } else {
                    byte[] salt = new byte[16];
                    random.nextBytes(salt);
                    scheme = new Pbes2(salt, PBKDF2_ITERATIONS);
                }
                key = scheme.derive(passphrase);
            }
            for (Issuer issuer : added.values()) {
                if (store.containsAlias(issuer.name())) {
                    throw new CaException(CaException.Type.KEYSTORE, "the CA keystore has an entry '" + issuer.name() + "' already");
                }
                store.setKeyEntry(issuer.name(), scheme.encrypt(key, issuer.key().getEncoded(), random), issuer.chain().toArray(Certificate[]::new));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, passphrase);
            return new CaKeystore(out.toByteArray(), null, scheme, key);
        } catch (GeneralSecurityException | IOException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot add " + added.keySet() + " to the CA keystore", e);
        }
    }

    /** The aliases of its private-key entries (issuer keys), without decrypting them. */
    public java.util.Set<String> privateKeyAliases(char[] passphrase) {
        KeyStore store = load(passphrase);
        try {
            java.util.Set<String> aliases = new java.util.LinkedHashSet<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                    aliases.add(alias);
                }
            }
            return aliases;
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be read", e);
        }
    }

    /** Parents first: a shorter chain means closer to the root. */
    private static Map<String, Issuer> parentsFirst(java.util.Collection<Issuer> issuers) {
        Map<String, Issuer> ordered = new LinkedHashMap<>();
        issuers.stream().sorted(Comparator.comparingInt(i -> i.chain().size())).forEach(i -> ordered.put(i.name(), i));
        return ordered;
    }

    /** The PKCS#12 checked against its MAC, which proves the passphrase; its entries are still encrypted. */
    private KeyStore load(char[] passphrase) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), passphrase);
            return store;
        } catch (IOException e) {
            throw new CaException(CaException.Type.KEYSTORE,
                    "the CA keystore cannot be opened: the passphrase (CERTWRIGHT_CA_PASSPHRASE) is wrong or the keystore is damaged");
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be opened", e);
        }
    }

    /**
     * The encrypted keys, by lower-case friendly name (the JDK's alias): shrouded key bags, and secret bags that hold one
     * (the JDK's form of a secret-key entry, RFC 7292 §4.2.5). Read with Bouncy Castle, since the JDK's KeyStore does
     * not hand out the encrypted form.
     */
    private Map<String, Shrouded> shroudedEntries() {
        Map<String, Shrouded> found = new HashMap<>();
        try {
            for (ContentInfo info : new PKCS12PfxPdu(bytes).getContentInfos()) {
                if (!PKCSObjectIdentifiers.data.equals(info.getContentType())) {
                    continue; // the certificates, encrypted as a whole; the JDK's KeyStore has them
                }
                for (PKCS12SafeBag bag : new PKCS12SafeBagFactory(info).getSafeBags()) {
                    byte[] encrypted = encryptedKey(bag);
                    String name = friendlyName(bag);
                    if (encrypted != null && name != null) {
                        found.put(name.toLowerCase(Locale.ENGLISH), new Shrouded(encrypted, Pbes2.of(encrypted)));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA keystore cannot be read", e);
        }
        return found;
    }

    private static byte[] encryptedKey(PKCS12SafeBag bag) throws IOException {
        if (PKCSObjectIdentifiers.pkcs8ShroudedKeyBag.equals(bag.getType())) {
            return ((PKCS8EncryptedPrivateKeyInfo) bag.getBagValue()).getEncoded();
        }
        if (PKCSObjectIdentifiers.secretBag.equals(bag.getType())) {
            // SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT ANY }
            ASN1Sequence secret = ASN1Sequence.getInstance(bag.getBagValue());
            if (PKCSObjectIdentifiers.pkcs8ShroudedKeyBag.equals(secret.getObjectAt(0))) {
                ASN1Encodable value = ASN1TaggedObject.getInstance(secret.getObjectAt(1)).getExplicitBaseObject();
                return ASN1OctetString.getInstance(value).getOctets();
            }
        }
        return null;
    }

    private static String friendlyName(PKCS12SafeBag bag) {
        for (Attribute attribute : bag.getAttributes() == null ? new Attribute[0] : bag.getAttributes()) {
            if (PKCSObjectIdentifiers.pkcs_9_at_friendlyName.equals(attribute.getAttrType()) && attribute.getAttrValues().size() == 1
                    && attribute.getAttrValues().getObjectAt(0) instanceof ASN1String name) {
                return name.getString();
            }
        }
        return null;
    }

    /** One key per distinct scheme; several (a keystore from before decision 66) on threads of their own. */
    private static Map<Pbes2, SecretKey> deriveAll(List<Pbes2> schemes, char[] passphrase) {
        Map<Pbes2, SecretKey> keys = new HashMap<>();
        if (schemes.size() == 1) {
            keys.put(schemes.getFirst(), schemes.getFirst().derive(passphrase));
            return keys;
        }
        List<CompletableFuture<SecretKey>> work = new ArrayList<>();
        for (Pbes2 scheme : schemes) {
            work.add(CompletableFuture.supplyAsync(() -> scheme.derive(passphrase),
                    task -> Thread.ofPlatform().name("ca-keystore-derive").daemon(true).start(task)));
        }
        try {
            for (int i = 0; i < schemes.size(); i++) {
                keys.put(schemes.get(i), work.get(i).join());
            }
        } catch (CompletionException e) {
            throw e.getCause() instanceof CaException refusal ? refusal
                    : new CaException(CaException.Type.KEYSTORE, "an entry of the CA keystore cannot be read", e.getCause());
        }
        return keys;
    }

    /** An encrypted key and, when it is the one scheme this class derives itself, that scheme; else null (the JDK opens it). */
    private record Shrouded(byte[] encrypted, Pbes2 scheme) {
    }

    /**
     * PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018 §6.2, appendix A.2), the scheme the JDK writes as
     * {@value #PROTECTION}. Equal by salt and iteration count, which is all the derivation depends on.
     */
    private record Pbes2(byte[] salt, int iterations) {

        /** The scheme of an EncryptedPrivateKeyInfo, or null when it is any other. */
        static Pbes2 of(byte[] encryptedPrivateKeyInfo) {
            AlgorithmIdentifier algorithm = org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo.getInstance(encryptedPrivateKeyInfo).getEncryptionAlgorithm();
            if (!PKCSObjectIdentifiers.id_PBES2.equals(algorithm.getAlgorithm())) {
                return null;
            }
            PBES2Parameters parameters = PBES2Parameters.getInstance(algorithm.getParameters());
            KeyDerivationFunc kdf = parameters.getKeyDerivationFunc();
            if (!PKCSObjectIdentifiers.id_PBKDF2.equals(kdf.getAlgorithm())
                    || !NISTObjectIdentifiers.id_aes256_CBC.equals(parameters.getEncryptionScheme().getAlgorithm())) {
                return null;
            }
            PBKDF2Params pbkdf2 = PBKDF2Params.getInstance(kdf.getParameters());
            if (!PKCSObjectIdentifiers.id_hmacWithSHA256.equals(pbkdf2.getPrf().getAlgorithm())
                    || pbkdf2.getKeyLength() != null && pbkdf2.getKeyLength().intValue() != AES_256_BYTES
                    || pbkdf2.getIterationCount().bitLength() > 31) {
                return null;
            }
            return new Pbes2(pbkdf2.getSalt(), pbkdf2.getIterationCount().intValue());
        }

        SecretKey derive(char[] passphrase) {
            PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, AES_256_BYTES * 8);
            try {
                return new SecretKeySpec(SecretKeyFactory.getInstance(KDF).generateSecret(spec).getEncoded(), "AES");
            } catch (GeneralSecurityException e) {
                throw new CaException(CaException.Type.KEYSTORE, "cannot derive the CA keystore's key", e);
            } finally {
                spec.clearPassword();
            }
        }

        /** A DER EncryptedPrivateKeyInfo of the PKCS#8 bytes, with a fresh IV. */
        byte[] encrypt(SecretKey key, byte[] pkcs8, SecureRandom random) throws GeneralSecurityException, IOException {
            byte[] iv = new byte[16];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            AlgorithmIdentifier algorithm = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, new PBES2Parameters(
                    new KeyDerivationFunc(PKCSObjectIdentifiers.id_PBKDF2, new PBKDF2Params(salt, iterations, AES_256_BYTES, HMAC_SHA256)),
                    new EncryptionScheme(NISTObjectIdentifiers.id_aes256_CBC, new DEROctetString(iv))));
            return new org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo(algorithm, cipher.doFinal(pkcs8)).getEncoded();
        }

        PrivateKey privateKey(SecretKey key, byte[] encrypted) throws GeneralSecurityException, IOException {
            var spec = new EncryptedPrivateKeyInfo(encrypted).getKeySpec(decryptor(key, encrypted));
            return KeyFactory.getInstance(spec.getAlgorithm()).generatePrivate(spec);
        }

        /** The JDK's secret-key entry: a PKCS#8 structure whose algorithm names the key and whose key is the raw bytes. */
        SecretKey secretKey(SecretKey key, byte[] encrypted) throws GeneralSecurityException, IOException {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(decryptor(key, encrypted).doFinal(new EncryptedPrivateKeyInfo(encrypted).getEncryptedData()));
            ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
            if (!NISTObjectIdentifiers.aes.equals(algorithm)) {
                throw new GeneralSecurityException("the key-encryption key is not an AES key: " + algorithm);
            }
            return new SecretKeySpec(info.getPrivateKey().getOctets(), "AES");
        }

        private static Cipher decryptor(SecretKey key, byte[] encrypted) throws GeneralSecurityException {
            AlgorithmIdentifier algorithm = org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo.getInstance(encrypted).getEncryptionAlgorithm();
            byte[] iv = ASN1OctetString.getInstance(PBES2Parameters.getInstance(algorithm.getParameters()).getEncryptionScheme().getParameters()).getOctets();
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            return cipher;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Pbes2 that && iterations == that.iterations && Arrays.equals(salt, that.salt);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(salt) + iterations;
        }

        @Override
        public String toString() {
            return "PBES2[" + iterations + " iterations]";
        }
    }

    /**
     * The issuers, parents first, the first key-encryption key, how many key derivations the opening cost, and every
     * secret-key entry by alias (the KEKs, decision 68).
     */
    record Contents(Map<String, Issuer> issuers, SecretKey kek, int derivations, Map<String, SecretKey> secretKeys) {

        /** A keystore with the first KEK only (one just made). */
        Contents(Map<String, Issuer> issuers, SecretKey kek, int derivations) {
            this(issuers, kek, derivations, Map.of(KEK_ALIAS, kek));
        }
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "CaKeystore[" + bytes.length + " bytes, encrypted]";
    }

}
