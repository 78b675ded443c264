package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.support.Pkcs11Objects;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.SoftHsm.Token;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.Pem;

/**
 * The PKCS#11 key-store layer against a real SoftHSM2 token, a fresh one per test, each test in a JVM of its own
 * ({@link SoftHsm}). What the token holds is checked the way an operator would, with OpenSC's pkcs11-tool, and what
 * the token keys sign is verified in software with their public keys.
 */
@ExtendWith(SoftHsm.class)
class Pkcs11TokenTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final Clock CLOCK = Clock.systemUTC();
    static final String GENERATED_ACCESS = Pkcs11Objects.GENERATED_ACCESS;

    static Pkcs11Token open(Token token) {
        return Pkcs11Token.open(token.definition(), System::getenv, CLOCK, RANDOM);
    }

    @ParameterizedTest(name = "a generated {0} key is a token object that stays sensitive, was never extractable and only signs")
    @EnumSource(value = KeySpec.class, names = {"EC_P256", "EC_P384", "RSA_2048", "RSA_3072", "RSA_4096"})
    void generatedKeysAreSensitiveTokenObjects(KeySpec spec, Token token) throws Exception {
        Pkcs11Token hsm = open(token);
        String alias = "issuer-" + spec.id().toLowerCase(java.util.Locale.ROOT) + "-g1";

        Pkcs11Key key = hsm.generate(alias, spec);

        assertThat(key.keySpec()).isEqualTo(spec);
        assertThat(key.placeholder()).isTrue();
        assertThat(key.privateKey().getEncoded()).as("a handle, with no value to read").isNull();
        key.certificate().verify(key.publicKey(), softwareProvider(spec));
        assertThat(hsm.aliases()).containsExactly(alias);
        // A token object: another provider on the token, and another program, find it with the same public key.
        assertThat(open(token).find(alias)).get().extracting(k -> k.publicKey().getEncoded()).isEqualTo(key.publicKey().getEncoded());
        String objects = token.pkcs11Tool("--list-objects");
        Map<String, String> privateKey = privateKeyObject(objects, alias);
        assertThat(privateKey.get("type")).isEqualTo(spec.family());
        assertThat(privateKey.get("Access")).isEqualTo(GENERATED_ACCESS);
        assertThat(privateKey.get("Usage")).isEqualTo("sign");
        assertThat(certificateObject(objects, alias).get("subject")).isEqualTo("DN: OU=" + PlaceholderCertificate.MARK + ", CN=" + alias);
    }

    @ParameterizedTest(name = "a {0} token key signs a certificate and a CRL that verify with its public key in software")
    @EnumSource(value = KeySpec.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void tokenKeysSignCertificatesAndCrls(KeySpec spec, Token token) throws Exception {
        Pkcs11Key issuer = open(token).generate("signing-ca", spec);
        X500Name issuerName = X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        KeyPair leafKey = KeySpec.EC_P256.generate(RANDOM);

        // As the registry will sign: Bouncy Castle's builder with the token's provider and key handle.
        ContentSigner signer = new JcaContentSignerBuilder(spec.signatureAlgorithm()).setProvider(issuer.provider()).build(issuer.privateKey());
        var leafBuilder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(4242), Date.from(now), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=leaf.test"), leafKey.getPublic());
        leafBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(leafBuilder.build(signer));

        X509v2CRLBuilder crlBuilder = new X509v2CRLBuilder(issuerName, Date.from(now));
        crlBuilder.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
        crlBuilder.addCRLEntry(BigInteger.valueOf(4242), Date.from(now), CRLReason.keyCompromise);
        crlBuilder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
        X509CRLHolder crlHolder = crlBuilder.build(issuer.contentSigner());
        X509CRL crl = new JcaX509CRLConverter().getCRL(crlHolder);

        // Verified in software: the JDK's own provider for the family, and Bouncy Castle's verifier.
        leaf.verify(issuer.publicKey(), softwareProvider(spec));
        crl.verify(issuer.publicKey(), softwareProvider(spec));
        assertThat(crlHolder.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(new BouncyCastleProvider()).build(issuer.publicKey()))).isTrue();
        assertThat(crl.getRevokedCertificate(BigInteger.valueOf(4242))).isNotNull();
        assertThat(leaf.getSigAlgName()).isEqualToIgnoringCase(spec.signatureAlgorithm());
    }

    @ParameterizedTest(name = "a {0} key from a PKCS#12 file is imported as a sensitive, non-extractable token key that signs")
    @EnumSource(value = KeySpec.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
    void importedKeysAreSensitiveAndNotExtractable(KeySpec spec, Token token) throws Exception {
        KeyPair pair = spec.generate(RANDOM);
        X509Certificate certificate = selfSigned(pair, "CN=Imported CA " + spec.id(), spec);
        char[] password = "p12 password".toCharArray();
        KeyStore file = KeyStore.getInstance("PKCS12");
        file.load(null, null);
        file.setKeyEntry("ca", pair.getPrivate(), password, new X509Certificate[] {certificate});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        file.store(bytes, password);
        KeyStore read = KeyStore.getInstance("PKCS12");
        read.load(new ByteArrayInputStream(bytes.toByteArray()), password);
        Pkcs11Token hsm = open(token);

        Pkcs11Key key = hsm.importKey("imported-ca", (PrivateKey) read.getKey("ca", password), List.of(certificate));

        assertThat(key.placeholder()).isFalse();
        assertThat(key.certificate()).isEqualTo(certificate);
        assertThat(key.privateKey().getEncoded()).isNull();
        assertSigns(key);
        assertThat(open(token).aliases()).containsExactly("imported-ca");
        Map<String, String> privateKey = privateKeyObject(token.pkcs11Tool("--list-objects"), "imported-ca");
        // Sensitive and not extractable. Neither "always sensitive" nor "never extractable": the value existed outside
        // the token before, which the token records (PKCS#11 v2.40 §4.9, CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE).
        assertThat(privateKey.get("Access")).isEqualTo("sensitive");
        assertThat(privateKey.get("Usage")).isEqualTo("sign");
    }

    @Test
    void aPemKeyParsedByBouncyCastleImportsAndTheSameImportAgainChangesNothing(Token token) throws Exception {
        KeyPair pair = KeySpec.RSA_3072.generate(RANDOM);
        X509Certificate certificate = selfSigned(pair, "CN=PEM CA", KeySpec.RSA_3072);
        String pem = Pem.encode(Pem.PRIVATE_KEY, pair.getPrivate().getEncoded());
        PrivateKey parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = new JcaPEMKeyConverter().setProvider(new BouncyCastleProvider()).getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        assertThat(parsed.getClass().getName()).startsWith("org.bouncycastle.");
        Pkcs11Token hsm = open(token);

        Pkcs11Key first = hsm.importKey("pem-ca", parsed, List.of(certificate));
        Pkcs11Key again = hsm.importKey("pem-ca", parsed, List.of(certificate));

        assertThat(again.publicKey().getEncoded()).isEqualTo(first.publicKey().getEncoded());
        assertSigns(again);
        String objects = token.pkcs11Tool("--list-objects");
        assertThat(count(objects, "Private Key Object")).isEqualTo(1);
        assertThat(privateKeyObject(objects, "pem-ca").get("Access")).isEqualTo("sensitive");
        assertThatThrownBy(() -> hsm.importKey("pem-ca-copy", parsed, List.of(certificate)))
                .isInstanceOf(CaException.class)
                .hasMessage("this key is in " + hsm.description() + " already, under alias 'pem-ca'; a key is kept under one alias only");
        assertThat(hsm.aliases()).containsExactly("pem-ca");
    }

    @Test
    void anAliasThatHoldsAKeyIsNeverGivenAnother(Token token) throws Exception {
        Pkcs11Token hsm = open(token);
        Pkcs11Key held = hsm.generate("dev-root-g1", KeySpec.EC_P256);
        KeyPair other = KeySpec.EC_P256.generate(RANDOM);
        X509Certificate otherCertificate = selfSigned(other, "CN=Another CA", KeySpec.EC_P256);

        assertThatThrownBy(() -> hsm.generate("dev-root-g1", KeySpec.EC_P256))
                .isInstanceOf(CaException.class)
                .hasMessage(hsm.description() + " already holds a key under alias 'dev-root-g1'; a new key needs a new alias"
                        + " (a new issuer generation), and no key is ever replaced");
        assertThatThrownBy(() -> hsm.importKey("dev-root-g1", other.getPrivate(), List.of(otherCertificate)))
                .isInstanceOf(CaException.class)
                .hasMessage(hsm.description() + " already holds a different key under alias 'dev-root-g1'; it is left as it is");
        assertThatThrownBy(() -> hsm.replaceChain("dev-root-g1", List.of(otherCertificate)))
                .isInstanceOf(CaException.class)
                .hasMessage("certificate CN=Another CA is for another key than 'dev-root-g1' in " + hsm.description());

        assertThat(hsm.aliases()).containsExactly("dev-root-g1");
        Pkcs11Key still = hsm.find("dev-root-g1").orElseThrow();
        assertThat(still.publicKey().getEncoded()).isEqualTo(held.publicKey().getEncoded());
        assertSigns(still);
        assertThat(count(token.pkcs11Tool("--list-objects"), "Private Key Object")).isEqualTo(1);
    }

    @Test
    void theRealCertificatesReplaceThePlaceholdersAndTheKeysStay(Token token) throws Exception {
        Pkcs11Token hsm = open(token);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // A root and an intermediate, both keyed in the token; each real certificate is signed by a token key.
        Pkcs11Key rootKey = hsm.generate("test-root-g1", KeySpec.EC_P384);
        X500Name rootName = new X500Name("CN=Test Root,O=Certwright Test");
        var rootBuilder = new JcaX509v3CertificateBuilder(rootName, BigInteger.TEN, Date.from(now), Date.from(now.plus(Duration.ofDays(3650))),
                rootName, rootKey.publicKey());
        rootBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
        X509Certificate root = new JcaX509CertificateConverter().getCertificate(rootBuilder.build(rootKey.contentSigner()));
        Pkcs11Key installedRoot = hsm.replaceChain("test-root-g1", List.of(root));

        Pkcs11Key issuingKey = hsm.generate("test-issuing-g1", KeySpec.EC_P256);
        X500Name issuingName = new X500Name("CN=Test Issuing,O=Certwright Test");
        var issuingBuilder = new JcaX509v3CertificateBuilder(rootName, BigInteger.valueOf(11), Date.from(now), Date.from(now.plus(Duration.ofDays(1825))),
                issuingName, issuingKey.publicKey());
        issuingBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        X509Certificate issuing = new JcaX509CertificateConverter().getCertificate(issuingBuilder.build(installedRoot.contentSigner()));
        hsm.replaceChain("test-issuing-g1", List.of(issuing, root));

        Pkcs11Token reopened = open(token);
        Pkcs11Key rootAfter = reopened.find("test-root-g1").orElseThrow();
        Pkcs11Key issuingAfter = reopened.find("test-issuing-g1").orElseThrow();
        assertThat(rootAfter.placeholder()).isFalse();
        assertThat(rootAfter.chain()).containsExactly(root);
        assertThat(issuingAfter.chain()).containsExactly(issuing, root);
        issuing.verify(root.getPublicKey(), "SunEC");
        assertSigns(rootAfter);
        assertSigns(issuingAfter);
        String objects = token.pkcs11Tool("--list-objects");
        assertThat(objects).doesNotContain(PlaceholderCertificate.MARK);
        assertThat(certificateObject(objects, "test-root-g1").get("subject")).isEqualTo("DN: CN=Test Root, O=Certwright Test");
        assertThat(certificateObject(objects, "test-issuing-g1").get("subject")).isEqualTo("DN: CN=Test Issuing, O=Certwright Test");
        assertThat(count(objects, "Private Key Object")).isEqualTo(2);
        assertThat(privateKeyObject(objects, "test-root-g1").get("Access")).isEqualTo(GENERATED_ACCESS);
    }

    @Test
    void aKeyEncryptionKeyIsAnAesKeyThatNeverLeavesTheTokenAndWrapsInTheStoredFormat(Token token) throws Exception {
        Pkcs11Token hsm = open(token);
        hsm.generate("beside-a-kek", KeySpec.EC_P256);

        javax.crypto.SecretKey kek = hsm.generateKeyEncryptionKey("kek-2");

        assertThat(kek.getEncoded()).as("a handle, with no value to read").isNull();
        Map<String, String> object = Pkcs11Objects.of(token.pkcs11Tool("--list-objects")).secretKey("certwright:kek-2");
        assertThat(object.get("header")).isEqualTo("Secret Key Object; AES length 32");
        assertThat(object.get("Access")).isEqualTo(GENERATED_ACCESS);
        assertThat(object.get("Usage")).isEqualTo("encrypt, decrypt");
        // Another provider on the token finds it by its label; it is no issuer key.
        Pkcs11Token reopened = open(token);
        assertThat(reopened.keyEncryptionKeys()).containsOnlyKeys("kek-2");
        assertThat(reopened.aliases()).containsExactly("beside-a-kek");
        // keys' stored format (version | IV | AES-256-GCM of the PKCS#8 | tag), made and read in the token.
        KeyPair managed = KeySpec.EC_P256.generate(RANDOM);
        byte[] wrapped = dev.certwright.keys.internal.AesGcmWrap.wrap(kek, hsm.provider(), managed.getPrivate(), "certificate:7", RANDOM);
        assertThat(wrapped[0]).isEqualTo((byte) 1);
        assertThat(wrapped).hasSize(1 + 12 + managed.getPrivate().getEncoded().length + 16);
        PrivateKey unwrapped = dev.certwright.keys.internal.AesGcmWrap.unwrap(reopened.keyEncryptionKeys().get("kek-2"), reopened.provider(),
                wrapped, "certificate:7");
        assertThat(unwrapped.getEncoded()).isEqualTo(managed.getPrivate().getEncoded());
        // GCM's tag binds the context: moved to another row, it does not unwrap (NIST SP 800-38D §7.2).
        assertThatThrownBy(() -> dev.certwright.keys.internal.AesGcmWrap.unwrap(kek, hsm.provider(), wrapped, "certificate:8"))
                .isInstanceOf(dev.certwright.keys.KeyException.class).hasMessageContaining("cannot be decrypted");
        assertThatThrownBy(() -> hsm.generateKeyEncryptionKey("kek-2")).isInstanceOf(CaException.class)
                .hasMessage(hsm.description() + " already holds a key-encryption key 'certwright:kek-2'; no key is ever replaced");
        assertThatThrownBy(() -> hsm.generateKeyEncryptionKey("kek-x")).isInstanceOf(CaException.class)
                .hasMessage("'kek-x' is not a key-encryption key id such as kek-2");

        hsm.deleteKeyEncryptionKey("kek-2");
        assertThat(open(token).keyEncryptionKeys()).isEmpty();
        assertThat(count(token.pkcs11Tool("--list-objects"), "Private Key Object")).as("the issuer key stays").isEqualTo(1);
    }

    @Test
    void aKeyDeletedBecauseItsChangeWasNotRecordedFreesItsAliasAndLeavesSharedCertificates(Token token) throws Exception {
        Pkcs11Token hsm = open(token);
        Pkcs11Key rootKey = hsm.generate("keep-root", KeySpec.EC_P256);
        X500Name rootName = new X500Name("CN=Keep Root");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        var rootBuilder = new JcaX509v3CertificateBuilder(rootName, BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(30))),
                rootName, rootKey.publicKey());
        rootBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        X509Certificate root = new JcaX509CertificateConverter().getCertificate(rootBuilder.build(rootKey.contentSigner()));
        hsm.replaceChain("keep-root", List.of(root));
        Pkcs11Key child = hsm.generate("dropped-g2", KeySpec.EC_P256);
        var childBuilder = new JcaX509v3CertificateBuilder(rootName, BigInteger.TWO, Date.from(now), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name("CN=Dropped"), child.publicKey());
        hsm.replaceChain("dropped-g2", List.of(new JcaX509CertificateConverter().getCertificate(childBuilder.build(rootKey.contentSigner())), root));

        assertThat(hsm.delete("dropped-g2")).isTrue();
        assertThat(hsm.delete("dropped-g2")).as("nothing left to delete").isFalse();

        Pkcs11Objects objects = Pkcs11Objects.of(token.pkcs11Tool("--list-objects"));
        assertThat(objects.hasPrivateKey("dropped-g2")).isFalse();
        assertThat(objects.count("Private Key Object")).isEqualTo(1);
        assertThat(objects.certificate("keep-root").get("subject")).isEqualTo("DN: CN=Keep Root");
        assertThat(open(token).find("keep-root")).get().extracting(Pkcs11Key::chain).isEqualTo(List.of(root));
        assertThat(hsm.generate("dropped-g2", KeySpec.EC_P256).placeholder()).as("the alias is free again").isTrue();
    }

    @Test
    void ed25519IsRefusedBecauseSunPkcs11HasNoEdDsa(Token token) {
        Pkcs11Token hsm = open(token);
        KeyPair software = KeySpec.ED25519.generate(RANDOM);
        String refusal = "Ed25519 keys cannot be kept in " + hsm.description()
                + ": the JDK's SunPKCS11 provider offers no Ed25519 key generation for this token; use EC-P256, EC-P384 or RSA";

        assertThatThrownBy(() -> hsm.generate("ed-root-g1", KeySpec.ED25519)).isInstanceOf(CaException.class).hasMessage(refusal);
        assertThatThrownBy(() -> hsm.importKey("ed-root-g1", software.getPrivate(), List.of(selfSigned(software, "CN=Ed CA", KeySpec.ED25519))))
                .isInstanceOf(CaException.class).hasMessage(refusal);
        assertThat(hsm.aliases()).isEmpty();
        assertThat(token.pkcs11Tool("--list-objects")).doesNotContain("Private Key Object");
    }

    @Test
    void theSlotCanBeNamedInsteadOfTheLabel(Token token) {
        KeyStoreDefinition bySlot = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, null, token.slot(), SoftHsm.PIN_ENV);

        Pkcs11Token hsm = Pkcs11Token.open(bySlot, System::getenv, CLOCK, RANDOM);

        assertThat(hsm.slot()).isEqualTo(token.slot());
        assertThat(hsm.description()).isEqualTo("slot " + token.slot() + " of " + SoftHsm.LIBRARY);
        hsm.generate("by-slot", KeySpec.EC_P256);
        assertThat(open(token).aliases()).containsExactly("by-slot");
    }

    @Test
    @SoftHsm.WithoutWrapperExports
    void withoutTheWrapperExportATokenLabelIsRefusedAndASlotStillOpens(Token token) {
        assertThatThrownBy(() -> open(token))
                .isInstanceOf(CaException.class)
                .hasMessage("keyStore.tokenLabel cannot be looked up in this JVM (it needs the option"
                        + " --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED); name the token's slot with keyStore.slot instead");
        KeyStoreDefinition bySlot = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, null, token.slot(), SoftHsm.PIN_ENV);
        assertThat(Pkcs11Token.open(bySlot, System::getenv, CLOCK, RANDOM).generate("no-wrapper", KeySpec.EC_P256).keySpec()).isEqualTo(KeySpec.EC_P256);
    }

    @Test
    void aWrongPinIsRefusedWithoutShowingIt(Token token) {
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, token.label(), null, "OTHER_PIN");
        String wrong = token.pin() + "0";

        assertThatThrownBy(() -> Pkcs11Token.open(definition, name -> name.equals("OTHER_PIN") ? wrong : null, CLOCK, RANDOM))
                .isInstanceOf(CaException.class)
                .hasMessage("token '" + token.label() + "' (slot " + token.slot() + ") of " + SoftHsm.LIBRARY + " refused the PIN in OTHER_PIN")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(wrong).doesNotContain(token.pin()));
    }

    @Test
    void aPinVariableThatIsNotSetIsNamed(Token token) {
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, token.label(), null, "CERTWRIGHT_UNSET_PIN");

        assertThatThrownBy(() -> Pkcs11Token.open(definition, name -> null, CLOCK, RANDOM))
                .isInstanceOf(CaException.class)
                .hasMessage("keyStore.pinEnv names CERTWRIGHT_UNSET_PIN, which is not set in this process's environment; it must hold the user PIN of token '"
                        + token.label() + "'");
    }

    @Test
    void anUnknownLabelIsRefusedNamingTheLabelsThere(Token token) {
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, "no-such-token", null, SoftHsm.PIN_ENV);

        assertThatThrownBy(() -> Pkcs11Token.open(definition, System::getenv, CLOCK, RANDOM))
                .isInstanceOf(CaException.class)
                .hasMessage("no token in " + SoftHsm.LIBRARY + " is labelled 'no-such-token' (the tokens there: '" + token.label() + "')");
    }

    @Test
    void aSlotWithoutATokenIsRefused(Token token) {
        long empty = token.slot() + 1;
        KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", SoftHsm.LIBRARY, null, empty, SoftHsm.PIN_ENV);

        assertThatThrownBy(() -> Pkcs11Token.open(definition, System::getenv, CLOCK, RANDOM))
                .isInstanceOf(CaException.class)
                .hasMessage("cannot open slot " + empty + " of " + SoftHsm.LIBRARY + " (CKR_SLOT_ID_INVALID)");
    }

    // --- helpers ---

    private static String softwareProvider(KeySpec spec) {
        return "EC".equals(spec.family()) ? "SunEC" : "SunRsaSign";
    }

    /** The key signs, in the token, what its certificate's public key verifies in software. */
    private static void assertSigns(Pkcs11Key key) throws Exception {
        byte[] data = "what an issuer signs".getBytes(StandardCharsets.UTF_8);
        java.security.Signature signer = java.security.Signature.getInstance(key.keySpec().signatureAlgorithm(), key.provider());
        signer.initSign(key.privateKey());
        signer.update(data);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(key.keySpec().signatureAlgorithm(), softwareProvider(key.keySpec()));
        verifier.initVerify(key.publicKey());
        verifier.update(data);
        assertThat(verifier.verify(signature)).as("signed by token key " + key.alias()).isTrue();
    }

    private static X509Certificate selfSigned(KeyPair pair, String subject, KeySpec spec) throws Exception {
        Instant now = Instant.now();
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(RANDOM.nextInt(1, Integer.MAX_VALUE)), Date.from(now),
                Date.from(now.plus(Duration.ofDays(365))), name, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(spec.signatureAlgorithm()).build(pair.getPrivate())));
    }

    private static Map<String, String> privateKeyObject(String listing, String alias) {
        return Pkcs11Objects.of(listing).privateKey(alias);
    }

    private static Map<String, String> certificateObject(String listing, String alias) {
        return Pkcs11Objects.of(listing).certificate(alias);
    }

    private static long count(String listing, String header) {
        return Pkcs11Objects.of(listing).count(header);
    }

    private static String everyMessage(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
