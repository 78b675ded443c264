package dev.certwright.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.x509.KeySpec;

/**
 * A PKCS#11 token holding issuer keys, opened through the JDK's SunPKCS11 provider: the key-store layer that the issuer
 * registry uses when ca-config has a {@code keyStore} of type {@code pkcs11}.
 *
 * <p>Opening finds the slot (by the token's label through {@link Pkcs11Slots}, or as configured), configures a
 * SunPKCS11 provider for that slot and logs in with the user PIN, read from the environment variable the configuration
 * names each time the provider asks for it. The PIN is never logged, never in a message, never kept in a field.
 *
 * <p>Keys are token objects under an alias, the issuer generation's name (SunPKCS11 stores it as the key's CKA_ID and
 * as its certificate's CKA_LABEL and CKA_ID). Whether generated here or imported, a private key is a private, sensitive,
 * non-extractable signing key (the {@code attributes} below, PKCS#11 v2.40 §4.9); a generated one is also "always
 * sensitive, never extractable, local" by the token's own account. SunPKCS11's KeyStore keeps a key only with a
 * certificate, so a new key is stored with a {@link PlaceholderCertificate} until {@link #replaceChain} installs the real
 * one. No operation replaces a key: an alias that holds one is refused unless it is the same key.
 *
 * <p>Signing needs this token's {@link #provider()}: see {@link Pkcs11Key#contentSigner()}.
 */
final class Pkcs11Token {

    private static final Logger log = LoggerFactory.getLogger(Pkcs11Token.class);

    /** An alias: the issuer generation's name, which SunPKCS11 writes as the key's CKA_ID and its certificate's CKA_LABEL and CKA_ID. */
    private static final String ALIAS = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    /**
     * The templates SunPKCS11 adds to every private key it makes in the token, generated or imported (PKCS#11 v2.40 §4.7,
     * §4.9); SunPKCS11 applies every entry that matches. CKA_PRIVATE: only a logged-in user sees it. CKA_SENSITIVE true
     * and CKA_EXTRACTABLE false: its value is never revealed, not even wrapped. CKA_SIGN only: an issuer key signs; it
     * neither decrypts, unwraps nor derives. CKA_TOKEN for generated keys: a token object from the start, not a session
     * object that disappears with the session (an imported key is made a token object by SunPKCS11 itself).
     * <p>
     * A key-encryption key (an AES key SunPKCS11's KeyGenerator makes) is sensitive and never extractable, encrypts and
     * decrypts and does nothing else (no CKA_WRAP: it wraps by encrypting the PKCS#8 with CKM_AES_GCM, PKCS#11 v2.40
     * §2.14, in the format the keystore's KEKs use). It is generated as a session object and made a token object with
     * its label by the KeyStore (C_CopyObject, PKCS#11 v2.40 §5.7, which keeps CKA_ALWAYS_SENSITIVE,
     * CKA_NEVER_EXTRACTABLE and CKA_LOCAL).
     */
    private static final String ATTRIBUTES = """
            attributes(*, CKO_PRIVATE_KEY, *) = {
              CKA_PRIVATE = true
              CKA_SENSITIVE = true
              CKA_EXTRACTABLE = false
              CKA_SIGN = true
              CKA_DECRYPT = false
              CKA_UNWRAP = false
              CKA_DERIVE = false
            }
            attributes(generate, CKO_PRIVATE_KEY, *) = {
              CKA_TOKEN = true
            }
            attributes(generate, CKO_SECRET_KEY, CKK_AES) = {
              CKA_SENSITIVE = true
              CKA_EXTRACTABLE = false
              CKA_ENCRYPT = true
              CKA_DECRYPT = true
              CKA_WRAP = false
              CKA_UNWRAP = false
              CKA_SIGN = false
              CKA_VERIFY = false
              CKA_DERIVE = false
            }
            """;

    /**
     * The label of a key-encryption key in the token: {@code certwright:kek-2}. The colon keeps it apart from issuer
     * key aliases, which {@link #ALIAS} allows no colon.
     */
    static final String KEK_LABEL_PREFIX = "certwright:";
    private static final String KEK_LABEL = "certwright:kek-[1-9][0-9]{0,8}";
    private static final int AES_256_BITS = 256;

    private final KeyStoreDefinition definition;
    private final long slot;
    private final String description;
    private final Provider provider;
    private final KeyStore keyStore;
    private final Clock clock;
    private final SecureRandom random;

    private Pkcs11Token(KeyStoreDefinition definition, long slot, Provider provider, KeyStore keyStore, Clock clock, SecureRandom random) {
        this.definition = definition;
        this.slot = slot;
        this.description = describe(definition, slot);
        this.provider = provider;
        this.keyStore = keyStore;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Opens the token and logs in.
     *
     * @param environment the process environment ({@code System::getenv}), where {@code pinEnv} is looked up
     * @throws CaException with one sentence when the library, slot, token or PIN fails
     */
    static Pkcs11Token open(KeyStoreDefinition definition, Function<String, String> environment, Clock clock, SecureRandom random) {
        if (definition.type() != KeyStoreDefinition.Type.PKCS11) {
            throw new CaException(CaException.Type.KEYSTORE, "a key store of type " + definition.type() + " is not a PKCS#11 token");
        }
        String library = definition.library().toString();
        String pinEnv = definition.pinEnv();
        String pin = environment.apply(pinEnv);
        if (pin == null || pin.isEmpty()) {
            throw new CaException(CaException.Type.KEYSTORE, "keyStore.pinEnv names " + pinEnv
                    + ", which is not set in this process's environment; it must hold the user PIN of " + definition.tokenDescription());
        }
        long slot = definition.slot() != null ? definition.slot() : Pkcs11Slots.slotOf(library, definition.tokenLabel());
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new CaException(CaException.Type.KEYSTORE, "this JVM has no SunPKCS11 provider (module jdk.crypto.cryptoki), which a keyStore of type pkcs11 needs");
        }
        String where = describe(definition, slot);
        Provider provider;
        try {
            // An inline configuration ("--" first). A provider per opened token, not installed in Security: signing names it.
            provider = base.configure("--name = Certwright-slot-" + slot + "\nlibrary = " + library + "\nslot = " + slot + "\n" + ATTRIBUTES);
        } catch (InvalidParameterException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot open " + where + " (" + rootMessage(e) + ")", e);
        }
        if (provider instanceof java.security.AuthProvider auth) {
            // SunPKCS11 asks for the PIN when it logs in, here and again should the token need a new login.
            auth.setCallbackHandler(callbacks -> {
                for (var callback : callbacks) {
                    if (!(callback instanceof PasswordCallback password)) {
                        throw new UnsupportedCallbackException(callback);
                    }
                    String value = environment.apply(pinEnv);
                    char[] chars = value == null ? new char[0] : value.toCharArray();
                    password.setPassword(chars);
                    Arrays.fill(chars, '\0');
                }
            });
        }
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, null);
            Pkcs11Token token = new Pkcs11Token(definition, slot, provider, keyStore, clock, random);
            log.info("PKCS#11 {} opened, {} key(s) in it", where, token.aliases().size());
            return token;
        } catch (IOException e) {
            throw new CaException(CaException.Type.KEYSTORE, loginFailure(e, where, pinEnv), e);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot open the key store of " + where + " (" + rootMessage(e) + ")", e);
        }
    }

    /** The token as messages name it: {@code token 'ca' (slot 17) of /usr/lib/softhsm/libsofthsm2.so}. */
    String description() {
        return description;
    }

    long slot() {
        return slot;
    }

    /** The SunPKCS11 provider of this token, which alone can sign with its keys. */
    Provider provider() {
        return provider;
    }

    /**
     * The aliases of the private keys in the token, sorted; read from the token, so keys another node stored are
     * included. Key-encryption keys are not among them ({@link #keyEncryptionKeys}).
     */
    synchronized List<String> aliases() {
        refresh();
        try {
            List<String> aliases = new ArrayList<>();
            for (String alias : Collections.list(keyStore.aliases())) {
                if (keyStore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                    aliases.add(alias);
                }
            }
            Collections.sort(aliases);
            return aliases;
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot list the keys of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    /** The key under this alias, with its certificate chain; read from the token. */
    synchronized Optional<Pkcs11Key> find(String alias) {
        refresh();
        return read(alias);
    }

    /** The keys under these aliases that the token holds, read in one pass over its objects. */
    synchronized Map<String, Pkcs11Key> find(Collection<String> aliases) {
        refresh();
        Map<String, Pkcs11Key> found = new LinkedHashMap<>();
        for (String alias : aliases) {
            read(alias).ifPresent(key -> found.put(alias, key));
        }
        return found;
    }

    /**
     * Destroys the key under this alias and its certificate (C_DestroyObject, PKCS#11 v2.40 §5.7; certificates another
     * entry's chain shares stay). Only for a key made here that was never recorded: a transaction that rolled back.
     *
     * @return whether there was such a key
     */
    synchronized boolean delete(String alias) {
        checkAlias(alias);
        refresh();
        try {
            if (!keyStore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                return false;
            }
            keyStore.deleteEntry(alias);
            log.info("deleted key '{}' from {}: it was made for a change that was not recorded", alias, description);
            return true;
        } catch (GeneralSecurityException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot delete key '" + alias + "' from " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    // --- key-encryption keys ---

    /**
     * Generates an AES-256 key-encryption key in the token under {@code certwright:<id>}: sensitive, never extractable,
     * for encryption and decryption only (see {@link #ATTRIBUTES}), checked after it is stored by an AES-GCM round trip.
     *
     * @param id the KEK's id, {@code kek-<n>}
     * @throws CaException when the token already holds a KEK with this id, or cannot make or keep one
     */
    synchronized SecretKey generateKeyEncryptionKey(String id) {
        String label = kekLabel(id);
        refresh();
        if (holds(label)) {
            throw new CaException(CaException.Type.KEYSTORE, description + " already holds a key-encryption key '" + label + "'; no key is ever replaced");
        }
        SecretKey session;
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
            generator.init(AES_256_BITS);
            session = generator.generateKey();
            // The KeyStore copies the session object into a token object labelled with the alias.
            keyStore.setEntry(label, new KeyStore.SecretKeyEntry(session), null);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, description + " cannot generate an AES-256 key-encryption key (" + rootMessage(e) + ")", e);
        }
        refresh();
        SecretKey stored = readSecretKey(label).orElseThrow(() -> new CaException(CaException.Type.KEYSTORE,
                "key-encryption key '" + label + "' was stored in " + description + " but cannot be read back"));
        if (!encryptsAndDecrypts(stored)) {
            throw new CaException(CaException.Type.KEYSTORE, "key-encryption key '" + label + "' in " + description + " does not encrypt with AES-GCM");
        }
        log.info("generated an AES-256 key-encryption key '{}' in {}, sensitive and never extractable", label, description);
        return stored;
    }

    /** The key-encryption keys in the token, by id ({@code kek-2}, ...): handles whose value never leaves the token. */
    synchronized Map<String, SecretKey> keyEncryptionKeys() {
        refresh();
        Map<String, SecretKey> keys = new java.util.TreeMap<>();
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                if (alias.matches(KEK_LABEL) && keyStore.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                    readSecretKey(alias).ifPresent(key -> keys.put(alias.substring(KEK_LABEL_PREFIX.length()), key));
                }
            }
            return keys;
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot list the keys of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    /**
     * Destroys a key-encryption key that was made for a change that was not recorded (its transaction rolled back):
     * nothing was ever wrapped under it.
     */
    synchronized void deleteKeyEncryptionKey(String id) {
        String label = kekLabel(id);
        refresh();
        try {
            if (keyStore.entryInstanceOf(label, KeyStore.SecretKeyEntry.class)) {
                keyStore.deleteEntry(label);
                log.info("deleted key-encryption key '{}' from {}: it was made for a change that was not recorded", label, description);
            }
        } catch (GeneralSecurityException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot delete '" + label + "' from " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    private static String kekLabel(String id) {
        String label = KEK_LABEL_PREFIX + id;
        if (id == null || !label.matches(KEK_LABEL)) {
            throw new CaException(CaException.Type.KEYSTORE, "'" + id + "' is not a key-encryption key id such as kek-2");
        }
        return label;
    }

    private Optional<SecretKey> readSecretKey(String label) {
        try {
            return keyStore.getKey(label, null) instanceof SecretKey key ? Optional.of(key) : Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot read '" + label + "' of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    /** One AES-GCM encryption and decryption of random bytes with this token key (CKM_AES_GCM, PKCS#11 v2.40 §2.14). */
    private boolean encryptsAndDecrypts(SecretKey key) {
        try {
            byte[] probe = new byte[32];
            byte[] iv = new byte[12];
            random.nextBytes(probe);
            random.nextBytes(iv);
            javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", provider);
            cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(probe);
            cipher.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
            return Arrays.equals(cipher.doFinal(sealed), probe);
        } catch (GeneralSecurityException | ProviderException e) {
            return false;
        }
    }

    /**
     * Generates a key pair in the token and stores the private key under {@code alias} with a placeholder certificate.
     *
     * @throws CaException when the alias holds a key already, or the token cannot make keys of this kind (Ed25519:
     *         SunPKCS11 has no EdDSA)
     */
    synchronized Pkcs11Key generate(String alias, KeySpec spec) {
        checkAlias(alias);
        checkSupported(spec);
        refresh();
        if (holds(alias)) {
            throw new CaException(CaException.Type.KEYSTORE, description + " already holds a key under alias '" + alias
                    + "'; a new key needs a new alias (a new issuer generation), and no key is ever replaced");
        }
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(spec.family(), provider);
            switch (spec.family()) {
                case "EC" -> generator.initialize(new ECGenParameterSpec(curveName(spec)));
                default -> generator.initialize(new RSAKeyGenParameterSpec(spec.bits(), RSAKeyGenParameterSpec.F4));
            }
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, description + " cannot generate a " + spec.id() + " key (" + rootMessage(e) + ")", e);
        }
        X509Certificate placeholder = PlaceholderCertificate.create(alias, pair.getPublic(), pair.getPrivate(), provider, spec, clock.instant(), random);
        store(alias, pair.getPrivate(), List.of(placeholder));
        Pkcs11Key key = stored(alias, placeholder.getPublicKey());
        log.info("generated a {} key '{}' in {}", spec.id(), alias, description);
        return key;
    }

    /**
     * Imports a software private key (read from PEM or PKCS#12 by the caller) into the token as a sensitive,
     * non-extractable token object under {@code alias}, with its chain. Nothing here keeps the software key: the caller
     * drops its own reference, and with it the last copy Certwright had. Importing the same key under the same alias
     * again stores the chain given and changes nothing else, so an interrupted import can be repeated.
     *
     * @param chain the key's certificate first
     * @throws CaException when the key does not belong to the certificate, the alias holds another key, the key is in
     *         the token under another alias, or it is of a kind the token cannot hold
     */
    synchronized Pkcs11Key importKey(String alias, PrivateKey privateKey, List<X509Certificate> chain) {
        checkAlias(alias);
        List<X509Certificate> certificates = normalise(chain);
        PublicKey publicKey = certificates.get(0).getPublicKey();
        KeySpec spec = KeySpec.of(publicKey).orElseThrow(() -> new CaException(CaException.Type.KEYSTORE,
                "the key of " + certificates.get(0).getSubjectX500Principal().getName() + " is not of a kind an issuer can have"));
        checkSupported(spec);
        PrivateKey software = softwareKey(privateKey, spec);
        if (!signsFor(software, null, publicKey, spec)) {
            throw new CaException(CaException.Type.KEYSTORE, "the private key given for alias '" + alias + "' does not belong to certificate "
                    + certificates.get(0).getSubjectX500Principal().getName());
        }
        refresh();
        Optional<Pkcs11Key> existing = read(alias);
        if (existing.isPresent()) {
            if (!sameKey(existing.get().publicKey(), publicKey)) {
                throw differentKey(alias);
            }
            log.info("key '{}' is in {} already; its chain is stored again", alias, description);
            return replaceChain(alias, certificates);
        }
        if (holds(alias)) {
            // A certificate without a key under the alias: SunPKCS11 would delete it to make room.
            throw new CaException(CaException.Type.KEYSTORE, description + " holds a certificate under alias '" + alias + "'; it is left as it is");
        }
        String holder = aliasOf(publicKey);
        if (holder != null) {
            throw new CaException(CaException.Type.KEYSTORE, "this key is in " + description + " already, under alias '" + holder
                    + "'; a key is kept under one alias only");
        }
        store(alias, software, certificates);
        Pkcs11Key key = stored(alias, publicKey);
        log.info("imported a {} key '{}' into {}, sensitive and non-extractable", spec.id(), alias, description);
        return key;
    }

    /**
     * Stores the key's real certificate chain in place of what is there (the placeholder after {@link #generate}).
     *
     * @param chain the key's certificate first; its public key must be the token key's
     */
    synchronized Pkcs11Key replaceChain(String alias, List<X509Certificate> chain) {
        List<X509Certificate> certificates = normalise(chain);
        refresh();
        Pkcs11Key existing = read(alias).orElseThrow(() -> new CaException(CaException.Type.KEYSTORE,
                description + " holds no key under alias '" + alias + "'"));
        if (!sameKey(existing.publicKey(), certificates.get(0).getPublicKey())) {
            throw new CaException(CaException.Type.KEYSTORE, "certificate " + certificates.get(0).getSubjectX500Principal().getName()
                    + " is for another key than '" + alias + "' in " + description);
        }
        // SunPKCS11 finds the entry by the certificate's public key and replaces its certificates; the key stays.
        store(alias, existing.privateKey(), certificates);
        Pkcs11Key key = stored(alias, existing.publicKey());
        log.info("stored the certificate chain of key '{}' in {}: {}", alias, description, key.certificate().getSubjectX500Principal().getName());
        return key;
    }

    // --- inside ---

    /** The key store as the token holds it now: SunPKCS11 reads its object list only when loaded. */
    private void refresh() {
        try {
            keyStore.load(null, null);
        } catch (IOException e) {
            throw new CaException(CaException.Type.KEYSTORE, loginFailure(e, description, definition.pinEnv()), e);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot read the keys of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    private Optional<Pkcs11Key> read(String alias) {
        try {
            if (!keyStore.isKeyEntry(alias)) {
                return Optional.empty();
            }
            Key key = keyStore.getKey(alias, null);
            Certificate[] chain = keyStore.getCertificateChain(alias);
            if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) {
                return Optional.empty();
            }
            List<X509Certificate> certificates = Arrays.stream(chain).map(X509Certificate.class::cast).toList();
            KeySpec spec = KeySpec.of(certificates.get(0).getPublicKey()).orElseThrow(() -> new CaException(CaException.Type.KEYSTORE,
                    "key '" + alias + "' in " + description + " is not of a kind an issuer can have"));
            return Optional.of(new Pkcs11Key(alias, privateKey, provider, certificates, spec));
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot read key '" + alias + "' of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    private void store(String alias, PrivateKey key, List<X509Certificate> chain) {
        try {
            keyStore.setKeyEntry(alias, key, null, chain.toArray(X509Certificate[]::new));
        } catch (GeneralSecurityException | ProviderException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot store key '" + alias + "' in " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    /** The entry as the token now has it, checked: the key signs what its certificate's public key verifies. */
    private Pkcs11Key stored(String alias, PublicKey publicKey) {
        refresh();
        Pkcs11Key key = read(alias).orElseThrow(() -> new CaException(CaException.Type.KEYSTORE,
                "key '" + alias + "' was stored in " + description + " but cannot be read back"));
        if (!sameKey(key.publicKey(), publicKey) || !signsFor(key.privateKey(), provider, publicKey, key.keySpec())) {
            throw new CaException(CaException.Type.KEYSTORE, "key '" + alias + "' in " + description + " does not sign for its certificate");
        }
        return key;
    }

    /** Whether anything (a key, or a certificate alone) is stored under the alias. */
    private boolean holds(String alias) {
        try {
            return keyStore.containsAlias(alias);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot list the keys of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    /** The alias whose certificate carries this public key, or null. */
    private String aliasOf(PublicKey publicKey) {
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                Certificate certificate = keyStore.getCertificate(alias);
                if (keyStore.isKeyEntry(alias) && certificate != null && sameKey(certificate.getPublicKey(), publicKey)) {
                    return alias;
                }
            }
            return null;
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot list the keys of " + description + " (" + rootMessage(e) + ")", e);
        }
    }

    private CaException differentKey(String alias) {
        return new CaException(CaException.Type.KEYSTORE, description + " already holds a different key under alias '" + alias
                + "'; it is left as it is");
    }

    private void checkAlias(String alias) {
        if (alias == null || !alias.matches(ALIAS)) {
            throw new CaException(CaException.Type.KEYSTORE, "'" + alias + "' is not a key alias: up to 64 letters, digits, dots, hyphens and underscores");
        }
    }

    /** Refuses a kind of key SunPKCS11 cannot make or sign with on this token (Ed25519: the JDK has no CKM_EDDSA support). */
    private void checkSupported(KeySpec spec) {
        boolean generates = provider.getService("KeyPairGenerator", spec.family()) != null;
        boolean signs = provider.getService("Signature", spec.signatureAlgorithm()) != null;
        if (!generates || !signs) {
            throw new CaException(CaException.Type.KEYSTORE, spec.id() + " keys cannot be kept in " + description + ": the JDK's SunPKCS11 provider"
                    + " offers no " + (generates ? spec.signatureAlgorithm() + " signature" : spec.family() + " key generation")
                    + " for this token; use EC-P256, EC-P384 or RSA");
        }
    }

    private static String curveName(KeySpec spec) {
        return switch (spec) {
            case EC_P256 -> "secp256r1";
            case EC_P384 -> "secp384r1";
            case EC_P521 -> "secp521r1";
            default -> throw new IllegalArgumentException(spec.id() + " is not an EC key");
        };
    }

    /**
     * The key as one of the JDK's own software keys, from its PKCS#8 encoding: SunPKCS11 imports an RSAPrivateCrtKey or
     * an ECPrivateKey with named parameters, and keys parsed by Bouncy Castle or ACCP are other classes.
     */
    private static PrivateKey softwareKey(PrivateKey key, KeySpec spec) {
        byte[] pkcs8 = key == null ? null : key.getEncoded();
        if (pkcs8 == null) {
            throw new CaException(CaException.Type.KEYSTORE, "only a software private key can be imported, not " + (key == null ? "none" : key.getAlgorithm() + " key without an encoding"));
        }
        try {
            return KeyFactory.getInstance(spec.family(), "EC".equals(spec.family()) ? "SunEC" : "SunRsaSign")
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "the private key is not a " + spec.id() + " key (" + e.getMessage() + ")", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** Whether the private key signs what the public key verifies: one signature over random bytes. */
    private boolean signsFor(PrivateKey privateKey, Provider signingProvider, PublicKey publicKey, KeySpec spec) {
        try {
            byte[] probe = new byte[32];
            random.nextBytes(probe);
            Signature signer = signingProvider == null ? Signature.getInstance(spec.signatureAlgorithm())
                    : Signature.getInstance(spec.signatureAlgorithm(), signingProvider);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(spec.signatureAlgorithm());
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | ProviderException e) {
            return false;
        }
    }

    /** Public keys compared by their encoding: the classes differ between providers. */
    private static boolean sameKey(PublicKey a, PublicKey b) {
        return Arrays.equals(a.getEncoded(), b.getEncoded());
    }

    /**
     * The chain as the JDK's own X509Certificate objects: SunPKCS11 compares a new entry's public key with the stored ones
     * by {@code equals}, and treats a mismatch as a new key that replaces whatever the alias held.
     */
    private static List<X509Certificate> normalise(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            throw new CaException(CaException.Type.KEYSTORE, "a key is stored with its certificate chain, and none was given");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509", "SUN");
            List<X509Certificate> certificates = new ArrayList<>();
            for (X509Certificate certificate : chain) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded())));
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "a certificate of the chain cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static String describe(KeyStoreDefinition definition, long slot) {
        return (definition.tokenLabel() != null ? "token '" + definition.tokenLabel() + "' (slot " + slot + ")" : "slot " + slot)
                + " of " + definition.library();
    }

    /** The sentence for a failed login; the PIN is named by its variable, never shown. */
    private static String loginFailure(IOException e, String where, String pinEnv) {
        String detail = rootMessage(e);
        if (detail.contains("CKR_PIN_LOCKED")) {
            return "the user PIN of " + where + " is locked after too many wrong tries";
        }
        if (e.getCause() instanceof UnrecoverableKeyException || e.getCause() instanceof FailedLoginException || detail.contains("CKR_PIN_INCORRECT")) {
            return where + " refused the PIN in " + pinEnv;
        }
        return "cannot log in to " + where + " (" + detail + ")";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
