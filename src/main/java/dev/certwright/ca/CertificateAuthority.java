package dev.certwright.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.SerialNumber;

/**
 * The certificate authority: the keys it holds and the issuers it signs with. It holds every issuer generation's key
 * (in the CA keystore, or as a handle into a PKCS#11 token) by the generation's name; the registry, which knows the
 * hierarchy and its certificates, {@link #installIssuers installs} the generations that have a certificate. It opens
 * and writes the keystore (which also carries the key-encryption key, handed back for the {@code keys} module), makes
 * keys, self-signs roots, certifies subordinate issuers, writes certification requests for issuers signed elsewhere,
 * and signs certificates, CRLs and OCSP responses. It knows no database.
 */
@Component
public class CertificateAuthority {

    private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);

    private final Clock clock;
    private final SecureRandom random;
    private final CertificateSigner signer;
    private volatile Map<String, Issuer> issuers = Map.of();
    /** Every key held, by generation name, including those of generations without a certificate yet. */
    private volatile Map<String, HeldKey> keys = Map.of();
    /** The chains the keystore entries carried when opened: what an install from before the registry knew. */
    private volatile Map<String, List<X509Certificate>> storedChains = Map.of();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();
    private volatile boolean installed;
    private volatile long installs;
    private char[] passphrase;
    private SecretKey kek;
    /** The keystore as stored (null before the first one is), and the aliases of the private keys in it. */
    private CaKeystore current;
    private Set<String> storedAliases = Set.of();
    /** The PKCS#11 token new issuer keys are made in, when ca-config's keyStore is of type pkcs11; null otherwise. */
    private volatile Pkcs11Token token;
    /** For each token key, the certificate the token stores beside it (a placeholder until the real one is installed). */
    private final Map<String, X509Certificate> tokenCertificates = new ConcurrentHashMap<>();
    /** Token keys generated here whose record has not been committed yet ({@link #adopt} commits them). */
    private final Set<String> unrecordedTokenKeys = ConcurrentHashMap.newKeySet();

    public CertificateAuthority(Clock clock, SecureRandom random,
            @Value("${certwright.public-http-url:http://localhost:${certwright.http-port:8080}}") String publicHttpUrl) {
        this.clock = clock;
        this.random = random;
        this.signer = new CertificateSigner(publicHttpUrl);
    }

    // --- the keystore ---

    /**
     * Opens the keystore and holds its keys (nothing is installed as an issuer yet). Returns its key-encryption keys by
     * alias ({@code kek-1}, and one per rotation), which the CA does not use: the caller hands them to the {@code keys}
     * module. The passphrase is kept to add keys to the keystore later.
     */
    public synchronized Map<String, SecretKey> open(CaKeystore keystore, char[] passphrase) {
        CaKeystore.Contents contents = keystore.open(passphrase);
        Map<String, HeldKey> held = new LinkedHashMap<>();
        Map<String, List<X509Certificate>> chains = new LinkedHashMap<>();
        for (Issuer entry : contents.issuers().values()) {
            held.put(entry.name(), new HeldKey(entry.key(), entry.certificate().getPublicKey(), null, KeyLocation.KEYSTORE));
            chains.put(entry.name(), entry.chain());
        }
        // Keys in a token are not in the keystore: keep those this CA holds.
        keys.forEach((name, key) -> {
            if (key.location() != KeyLocation.KEYSTORE) {
                held.putIfAbsent(name, key);
            }
        });
        this.keys = java.util.Collections.unmodifiableMap(held);
        this.storedChains = Map.copyOf(chains);
        this.passphrase = passphrase.clone();
        this.kek = contents.kek();
        this.current = keystore;
        this.storedAliases = Set.copyOf(contents.issuers().keySet());
        return contents.secretKeys();
    }

    /** A CA with no keys yet and a fresh key-encryption key, for a first start; returns it as {@code kek-1}. */
    public synchronized Map<String, SecretKey> initialise(char[] passphrase) {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            this.kek = generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot create the key-encryption key", e);
        }
        this.keys = Map.of();
        this.storedChains = Map.of();
        this.passphrase = passphrase.clone();
        this.current = null;
        this.storedAliases = Set.of();
        return Map.of(CaKeystore.KEK_ALIAS, kek);
    }

    /**
     * The keystore as it should be stored now, not yet adopted: on a first start a new one with every software key and
     * the key-encryption key; after that the stored one with the keys added since, every other entry (the KEKs of
     * rotations among them) copied as stored. A key still waiting for its certificate is stored with a self-signed
     * placeholder chain. Keys in a token are not in it. {@link #adopt} it once it is stored.
     */
    public synchronized CaKeystore keystore() {
        if (kek == null) {
            throw new CaException(CaException.Type.NOT_INSTALLED, "the CA keystore has not been opened");
        }
        Map<String, Issuer> entries = new LinkedHashMap<>();
        for (var entry : keys.entrySet()) {
            HeldKey key = entry.getValue();
            if (key.location() != KeyLocation.KEYSTORE || storedAliases.contains(entry.getKey())) {
                continue;
            }
            List<X509Certificate> chain = Optional.ofNullable(issuers.get(entry.getKey())).map(Issuer::chain)
                    .orElseGet(() -> List.of(PlaceholderCertificate.create(entry.getKey(), key.publicKey(), key.privateKey(), key.provider(),
                            KeySpec.of(key.publicKey()).orElseThrow(), clock.instant(), random)));
            entries.put(entry.getKey(), new Issuer(entry.getKey(), chain, key.privateKey()));
        }
        if (current != null && entries.isEmpty()) {
            return current; // nothing new in software (keys made in a token, or none): the stored keystore as it is
        }
        return current == null ? CaKeystore.create(entries, kek, passphrase, random) : current.withPrivateKeys(entries, passphrase, random);
    }

    /** Makes a keystore from {@link #keystore} the stored one, once its transaction committed. */
    public synchronized void adopt(CaKeystore stored) {
        Set<String> aliases = new java.util.LinkedHashSet<>(storedAliases);
        keys.forEach((name, key) -> {
            if (key.location() == KeyLocation.KEYSTORE) {
                aliases.add(name);
            }
        });
        this.current = stored;
        this.storedAliases = Set.copyOf(aliases);
        unrecordedTokenKeys.clear(); // their records were committed with this keystore
    }

    /** The chain a keystore entry carried when it was opened, for a registry that starts from an older install. */
    public Optional<List<X509Certificate>> storedChain(String name) {
        return Optional.ofNullable(storedChains.get(name));
    }

    // --- the PKCS#11 token ---

    /**
     * Opens the PKCS#11 token that ca-config's {@code keyStore} names and logs in with the PIN from the variable it
     * names (looked up in {@code environment}, never logged). From then on every new issuer key is generated in it,
     * and every imported one is put into it; keys already in the keystore stay there.
     *
     * @throws CaException with one sentence when the library, token or PIN fails
     */
    public synchronized void useToken(KeyStoreDefinition definition, Function<String, String> environment) {
        if (token != null) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA has opened " + token.description() + " already");
        }
        token = Pkcs11Token.open(definition, environment, clock, random);
    }

    /** Whether new issuer keys are made in a PKCS#11 token. */
    public boolean usesToken() {
        return token != null;
    }

    /** The token as messages name it, or empty without one. */
    public Optional<String> tokenDescription() {
        return Optional.ofNullable(token).map(Pkcs11Token::description);
    }

    /**
     * Finds the keys of these issuer generations in the token, by name, and holds them; names already held are left as
     * they are. The registry calls it with every generation whose key location is PKCS11, at start and whenever it
     * reads its rows again (another node may have made a key).
     *
     * @throws CaException naming the generations when there is no token, or the token holds no key for one of them
     */
    public synchronized void attachTokenKeys(Collection<String> names) {
        List<String> wanted = names.stream().filter(name -> !keys.containsKey(name)).distinct().toList();
        if (wanted.isEmpty()) {
            return;
        }
        Pkcs11Token opened = token;
        if (opened == null) {
            throw new CaException(CaException.Type.KEYSTORE, "the keys of issuer generation(s) " + wanted
                    + " are in a PKCS#11 token, and ca-config has no keyStore of type pkcs11 to open it with");
        }
        Map<String, Pkcs11Key> found = opened.find(wanted);
        List<String> missing = wanted.stream().filter(name -> !found.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new CaException(CaException.Type.KEYSTORE, opened.description() + " holds no key for issuer generation(s) " + missing
                    + ", whose keys the registry says are in a PKCS#11 token; open the token that holds them (keyStore.tokenLabel or keyStore.slot)");
        }
        found.forEach((name, key) -> {
            hold(name, new HeldKey(key.privateKey(), key.publicKey(), key.provider(), KeyLocation.PKCS11));
            tokenCertificates.put(name, key.certificate());
        });
    }

    /** The certificate the token stores beside a token key, or empty. */
    public Optional<X509Certificate> tokenCertificate(String name) {
        return Optional.ofNullable(tokenCertificates.get(name));
    }

    /**
     * Generates an AES-256 key-encryption key in the token, {@code certwright:<id>}: sensitive, never extractable, for
     * encryption and decryption only. The caller hands it to {@code keys} with {@link #tokenProvider()}.
     */
    public SecretKey generateTokenKeyEncryptionKey(String id) {
        return requireToken().generateKeyEncryptionKey(id);
    }

    /** The key-encryption keys the token holds, by id; none without a token. */
    public Map<String, SecretKey> tokenKeyEncryptionKeys() {
        Pkcs11Token opened = token;
        return opened == null ? Map.of() : opened.keyEncryptionKeys();
    }

    /** Destroys a token KEK made for a change that was not recorded; nothing was wrapped under it. */
    public void deleteTokenKeyEncryptionKey(String id) {
        requireToken().deleteKeyEncryptionKey(id);
    }

    /** The SunPKCS11 provider of the token, which alone can use its keys; empty without a token. */
    public Optional<Provider> tokenProvider() {
        return Optional.ofNullable(token).map(Pkcs11Token::provider);
    }

    private Pkcs11Token requireToken() {
        Pkcs11Token opened = token;
        if (opened == null) {
            throw new CaException(CaException.Type.KEYSTORE, "ca-config has no keyStore of type pkcs11: there is no token");
        }
        return opened;
    }

    // --- keys ---

    /** The public key of the key held under this name. */
    public Optional<PublicKey> publicKey(String name) {
        return Optional.ofNullable(keys.get(name)).map(HeldKey::publicKey);
    }

    /** Where the key held under this name is kept. */
    public Optional<KeyLocation> keyLocation(String name) {
        return Optional.ofNullable(keys.get(name)).map(HeldKey::location);
    }

    /** Names of every key held, in the order they were added. */
    public List<String> keyNames() {
        return List.copyOf(keys.keySet());
    }

    /**
     * Makes a new key for an issuer generation and holds it; the caller stores the keystore ({@link #keystore}) in the
     * same transaction as the generation's record.
     */
    public synchronized PublicKey generateKey(String name, KeySpec spec) {
        requireNewName(name);
        Pkcs11Token opened = token;
        if (opened != null) {
            // PKCS#11 v2.40 §4.9: generated in the token as a sensitive, never extractable signing key; only its handle is here.
            Pkcs11Key key = opened.generate(name, spec);
            unrecordedTokenKeys.add(name);
            tokenCertificates.put(name, key.certificate());
            hold(name, new HeldKey(key.privateKey(), key.publicKey(), key.provider(), KeyLocation.PKCS11));
            return key.publicKey();
        }
        KeyPair pair = spec.generate(random);
        hold(name, new HeldKey(pair.getPrivate(), pair.getPublic(), null, KeyLocation.KEYSTORE));
        return pair.getPublic();
    }

    /**
     * Holds an existing CA key under this name, after proving that it is the key of {@code certificate}: a signature
     * made with it verifies under the certificate's public key. With a token, the key is put into it (sensitive,
     * non-extractable) and only the token's handle is held: no software copy is kept, in memory or in the keystore.
     */
    public synchronized PublicKey importKey(String name, PrivateKey key, X509Certificate certificate) {
        requireNewName(name);
        PublicKey publicKey = certificate.getPublicKey();
        if (!signsFor(key, publicKey)) {
            throw new CaException(CaException.Type.KEY_MISMATCH, "the private key of issuer " + name + " does not belong to its certificate");
        }
        Pkcs11Token opened = token;
        if (opened != null) {
            // An import that is not recorded can be repeated: the token takes the same key under the same alias again.
            Pkcs11Key imported = opened.importKey(name, key, List.of(certificate));
            tokenCertificates.put(name, imported.certificate());
            hold(name, new HeldKey(imported.privateKey(), imported.publicKey(), imported.provider(), KeyLocation.PKCS11));
            return imported.publicKey();
        }
        hold(name, new HeldKey(key, publicKey, null, KeyLocation.KEYSTORE));
        return publicKey;
    }

    /**
     * Forgets a key that was added but not stored (its record's transaction rolled back). A key this CA generated in
     * the token for it is destroyed there, so that a retry can make the generation's key again under the same name; an
     * imported one stays in the token, where the same import finds it again.
     */
    public synchronized void discardKey(String name) {
        if (!issuers.containsKey(name) && !storedAliases.contains(name)) {
            HeldKey removed = keys.get(name);
            Map<String, HeldKey> next = new LinkedHashMap<>(keys);
            next.remove(name);
            keys = java.util.Collections.unmodifiableMap(next);
            if (removed != null && removed.location() == KeyLocation.PKCS11 && unrecordedTokenKeys.remove(name)) {
                tokenCertificates.remove(name);
                try {
                    token.delete(name);
                } catch (CaException e) {
                    log.warn("key {} was made in {} for a change that was not recorded, and cannot be deleted ({}); delete it with pkcs11-tool",
                            name, token.description(), e.getMessage());
                }
            }
        }
    }

    private void requireNewName(String name) {
        if (keys.containsKey(name)) {
            throw new CaException(CaException.Type.KEYSTORE, "the CA already holds a key named " + name);
        }
    }

    private void hold(String name, HeldKey key) {
        Map<String, HeldKey> next = new LinkedHashMap<>(keys);
        next.put(name, key);
        keys = java.util.Collections.unmodifiableMap(next);
    }

    private HeldKey held(String name) {
        HeldKey key = keys.get(name);
        if (key == null) {
            throw new CaException(installed ? CaException.Type.UNKNOWN_ISSUER : CaException.Type.NOT_INSTALLED, "the CA holds no key named '" + name + "'");
        }
        return key;
    }

    private boolean signsFor(PrivateKey key, PublicKey publicKey) {
        try {
            String algorithm = KeySpec.of(publicKey).orElseThrow(() -> new CaException(CaException.Type.KEY_MISMATCH,
                    "the certificate's key is of a kind Certwright does not support")).signatureAlgorithm();
            byte[] probe = new byte[32];
            random.nextBytes(probe);
            Signature signing = Signature.getInstance(algorithm);
            signing.initSign(key);
            signing.update(probe);
            byte[] signature = signing.sign();
            Signature verifying = Signature.getInstance(algorithm);
            verifying.initVerify(publicKey);
            verifying.update(probe);
            return verifying.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    // --- certificates for issuers ---

    /** A self-signed root certificate for the key held under {@code name}. */
    public X509Certificate selfSign(String name, String subject, Instant notBefore, Instant notAfter, Integer pathLength) {
        HeldKey key = held(name);
        try {
            return signer.root(new X500Name(subject), key.publicKey(), key.contentSigner(), SerialNumber.random(random).value(),
                    notBefore, notAfter, pathLength);
        } catch (OperatorCreationException e) {
            throw new CaException(CaException.Type.SIGNING, "cannot sign the root certificate of " + name, e);
        }
    }

    /**
     * A certificate for the key held under {@code name}, signed by the installed issuer {@code parentName}; its
     * notAfter never passes the parent's.
     */
    public X509Certificate certifyIssuer(String parentName, String name, String subject, Instant notBefore, Instant notAfter,
            Integer pathLength) {
        Issuer parent = issuer(parentName);
        HeldKey key = held(name);
        Instant limit = parent.certificate().getNotAfter().toInstant();
        return signer.intermediate(parent, new X500Name(subject), key.publicKey(), SerialNumber.random(random).value(), notBefore,
                notAfter.isAfter(limit) ? limit : notAfter, pathLength);
    }

    /**
     * A PKCS#10 request (RFC 2986) for the key held under {@code name}, signed with it, asking for a CA certificate:
     * basicConstraints cA with the path length, and keyCertSign and cRLSign (RFC 5280 §4.2.1.9, §4.2.1.3), as an
     * extensionRequest attribute (RFC 2985 §5.4.2) that {@code openssl x509 -req -copy_extensions copy} can take.
     */
    public byte[] certificationRequest(String name, String subject, Integer pathLength) {
        HeldKey key = held(name);
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.basicConstraints, true, pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength));
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            extensions.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.publicKey()));
            return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.publicKey())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(key.contentSigner()).getEncoded();
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot write the certification request of " + name, e);
        }
    }

    // --- issuers ---

    /**
     * Makes these generations the issuers this CA signs with, each with the key held under its name; the ones not
     * listed (retired, or still waiting for a certificate) sign nothing. A generation whose certificate is not for
     * its held key is refused.
     */
    public synchronized void installIssuers(Collection<IssuerGeneration> generations) {
        Map<String, Issuer> next = new LinkedHashMap<>();
        for (IssuerGeneration generation : generations) {
            HeldKey key = held(generation.name());
            // Compared by encoding: a token key's public key and the registry's certificate may come from other providers.
            if (!java.util.Arrays.equals(key.publicKey().getEncoded(), generation.chain().get(0).getPublicKey().getEncoded())) {
                throw new CaException(CaException.Type.KEY_MISMATCH, "the certificate of issuer " + generation.name() + " is not for the key the CA holds for it");
            }
            next.put(generation.name(), new Issuer(generation.name(), generation.logicalName(), generation.generation(), generation.chain(),
                    key.privateKey(), key.provider()));
        }
        responders.keySet().retainAll(next.keySet());
        this.issuers = java.util.Collections.unmodifiableMap(next);
        this.installed = true;
        this.installs++;
        generations.forEach(this::storeInToken);
    }

    /**
     * Makes the token's certificate object beside a token key the generation's real certificate, with its chain, in
     * place of the placeholder it was generated with (or an older certificate), so that an operator reading the token
     * (pkcs11-tool --list-objects) sees what the key is. Signing does not depend on it: a failure is logged, and tried
     * again at the next install.
     */
    private void storeInToken(IssuerGeneration generation) {
        HeldKey key = keys.get(generation.name());
        Pkcs11Token opened = token;
        X509Certificate certificate = generation.chain().get(0);
        if (opened == null || key == null || key.location() != KeyLocation.PKCS11 || certificate.equals(tokenCertificates.get(generation.name()))) {
            return;
        }
        try {
            tokenCertificates.put(generation.name(), opened.replaceChain(generation.name(), generation.chain()).certificate());
        } catch (CaException e) {
            log.warn("the certificate of issuer {} could not be stored beside its key in {} ({}); its key signs all the same", generation.name(),
                    opened.description(), e.getMessage());
        }
    }

    /** How many times issuers were installed: a cheap sign for callers that cache something per issuer. */
    public long installs() {
        return installs;
    }

    // --- a hierarchy made in one go (tests and tools) ---

    /**
     * Creates every configured (generated) issuer, roots self-signed and intermediates signed by their parents, and a
     * fresh key-encryption key, and returns them as an encrypted keystore. Nothing is installed yet.
     */
    public CaKeystore createKeystore(CaConfiguration configuration, char[] passphrase) {
        Map<String, Issuer> created = new LinkedHashMap<>();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        for (IssuerDefinition definition : configuration.issuers()) {
            KeyPair keys = definition.keyAlgorithm().generate(random);
            X500Name subject = new X500Name(definition.subject());
            Instant notAfter = now.plus(definition.validity());
            X509Certificate certificate;
            List<X509Certificate> chain;
            if (definition.root()) {
                HeldKey self = new HeldKey(keys.getPrivate(), keys.getPublic(), null, KeyLocation.KEYSTORE);
                try {
                    certificate = signer.root(subject, keys.getPublic(), self.contentSigner(), SerialNumber.random(random).value(), now, notAfter,
                            definition.pathLength());
                } catch (OperatorCreationException e) {
                    throw new CaException(CaException.Type.SIGNING, "cannot sign the root certificate of " + definition.name(), e);
                }
                chain = List.of(certificate);
            } else {
                Issuer parent = created.get(definition.parent());
                if (notAfter.isAfter(parent.certificate().getNotAfter().toInstant())) {
                    notAfter = parent.certificate().getNotAfter().toInstant();
                }
                certificate = signer.intermediate(parent, subject, keys.getPublic(), SerialNumber.random(random).value(), now, notAfter, definition.pathLength());
                chain = new ArrayList<>();
                chain.add(certificate);
                chain.addAll(parent.chain());
            }
            created.put(definition.name(), new Issuer(definition.name(), chain, keys.getPrivate()));
        }
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            return CaKeystore.create(created, generator.generateKey(), passphrase, random);
        } catch (GeneralSecurityException e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot create the key-encryption key", e);
        }
    }

    /**
     * Opens the keystore and makes every entry an issuer with the chain it carries. Every configured issuer must be in
     * it. Returns the keystore's key-encryption key. (The server goes through the registry instead: {@link #open} and
     * {@link #installIssuers}.)
     */
    public SecretKey install(CaKeystore keystore, char[] passphrase, CaConfiguration configuration) {
        SecretKey opened = open(keystore, passphrase).get(CaKeystore.KEK_ALIAS);
        for (IssuerDefinition definition : configuration.issuers()) {
            if (!storedChains.containsKey(definition.name())) {
                throw new CaException(CaException.Type.KEYSTORE, configuration.source() + ": issuers." + definition.name()
                        + " is configured but is not in the CA keystore; the keystore holds " + storedChains.keySet());
            }
        }
        installIssuers(storedChains.entrySet().stream().map(e -> new IssuerGeneration(e.getKey(), e.getKey(), 1, e.getValue())).toList());
        return opened;
    }

    /** A key the CA holds: key material in this process, or a token's handle with the token's provider. */
    record HeldKey(PrivateKey privateKey, PublicKey publicKey, Provider provider, KeyLocation location) {

        ContentSigner contentSigner() throws OperatorCreationException {
            return ContentSigners.of(KeySpec.of(publicKey).orElseThrow(), privateKey, provider);
        }

        @Override
        public String toString() {
            return "HeldKey[" + location + "]";
        }
    }

    /** Whether a keystore has been installed. */
    public boolean installed() {
        return installed;
    }

    /** The named issuer, or UNKNOWN_ISSUER. */
    public Issuer issuer(String name) {
        Issuer issuer = issuers.get(name);
        if (issuer == null) {
            throw new CaException(installed() ? CaException.Type.UNKNOWN_ISSUER : CaException.Type.NOT_INSTALLED, "no issuer named '" + name + "'");
        }
        return issuer;
    }

    /** All issuers, roots first. */
    public Collection<Issuer> issuers() {
        return issuers.values().stream().sorted(java.util.Comparator.comparingInt((Issuer i) -> i.chain().size()).thenComparing(Issuer::name)).toList();
    }

    /** Builds and signs a leaf certificate. The caller has recorded the serial first. */
    public X509Certificate sign(CertificateTemplate template) {
        Issuer issuer = issuer(template.issuer());
        if (template.notAfter().isAfter(issuer.certificate().getNotAfter().toInstant())) {
            throw new CaException(CaException.Type.SIGNING, "the certificate would outlive its issuer " + issuer.name()
                    + ", which expires " + issuer.certificate().getNotAfter().toInstant());
        }
        return signer.leaf(issuer, template);
    }

    /**
     * Starts a CRL signed by the issuer (RFC 5280 §5): CRL number, AKI, and either the Delta CRL Indicator naming
     * the base CRL's number (a delta CRL, §5.2.4) or a Freshest CRL pointer to the issuer's delta CRL (a full CRL,
     * §5.2.6). Entries are added to the returned draft, which then signs and writes itself.
     */
    public CrlDraft newCrl(String issuerName, long crlNumber, Instant thisUpdate, Instant nextUpdate, Long deltaBaseNumber) {
        return newCrl(issuerName, crlNumber, thisUpdate, nextUpdate, deltaBaseNumber, null);
    }

    /** As {@link #newCrl(String, long, Instant, Instant, Long)}, with the draft's temporary file in {@code workDirectory}. */
    public CrlDraft newCrl(String issuerName, long crlNumber, Instant thisUpdate, Instant nextUpdate, Long deltaBaseNumber,
            java.nio.file.Path workDirectory) {
        Issuer issuer = issuer(issuerName);
        try {
            List<Extension> extensions = new ArrayList<>();
            extensions.add(new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.certificate().getPublicKey())
                            .getEncoded()));
            extensions.add(new Extension(Extension.cRLNumber, false,
                    new CRLNumber(BigInteger.valueOf(crlNumber)).getEncoded()));
            if (deltaBaseNumber != null) {
                // RFC 5280 §5.2.4: the Delta CRL Indicator is critical.
                extensions.add(new Extension(Extension.deltaCRLIndicator, true,
                        new CRLNumber(BigInteger.valueOf(deltaBaseNumber)).getEncoded()));
            } else {
                // RFC 5280 §5.2.6: Freshest CRL, non-critical, points at the delta CRL.
                extensions.add(new Extension(Extension.freshestCRL, false,
                        signer.distributionPoints(signer.deltaCrlUrl(issuerName)).getEncoded()));
            }
            var contentSigner = issuer.contentSigner();
            return new CrlDraft(contentSigner, X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    thisUpdate, nextUpdate, extensions, workDirectory);
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot start a CRL for issuer " + issuerName, e);
        }
    }

    /**
     * Signs a delegated OCSP responder certificate for the issuer (RFC 6960 §4.2.2.2). The caller has recorded the
     * serial first.
     */
    public X509Certificate signOcspResponderCertificate(String issuerName, PublicKey publicKey, SerialNumber serial,
            Instant notBefore, Instant notAfter) {
        Issuer issuer = issuer(issuerName);
        if (notAfter.isAfter(issuer.certificate().getNotAfter().toInstant())) {
            notAfter = issuer.certificate().getNotAfter().toInstant();
        }
        return OcspSigning.responderCertificate(issuer, publicKey, serial.value(), notBefore, notAfter);
    }

    /** Makes this certificate and key the issuer's OCSP responder on this node. */
    public void installOcspResponder(String issuerName, X509Certificate certificate, PrivateKey key) {
        issuer(issuerName);
        responders.put(issuerName, new Responder(certificate, key));
    }

    /** The issuer's OCSP responder certificate on this node, if one is installed. */
    public Optional<X509Certificate> ocspResponder(String issuerName) {
        return Optional.ofNullable(responders.get(issuerName)).map(Responder::certificate);
    }

    /**
     * Signs an OCSP response for the issuer with its delegated responder. nextUpdate never passes the responder
     * certificate's notAfter, so that no response outlives the key that signed it.
     */
    public byte[] signOcspResponse(String issuerName, List<OcspAnswer> answers, Instant thisUpdate, Instant nextUpdate, byte[] nonce,
            Instant producedAt) {
        Responder responder = responders.get(issuerName);
        if (responder == null) {
            throw new CaException(CaException.Type.NOT_INSTALLED, "issuer " + issuerName + " has no OCSP responder yet");
        }
        Instant limit = responder.certificate().getNotAfter().toInstant();
        return OcspSigning.sign(responder.certificate(), responder.key(), answers, thisUpdate, nextUpdate.isAfter(limit) ? limit : nextUpdate,
                nonce, producedAt);
    }

    private record Responder(X509Certificate certificate, PrivateKey key) {
    }
}
