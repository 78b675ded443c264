package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.certwright.support.Pkcs11Objects;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.SoftHsm.Token;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.SerialNumber;

/**
 * The CA with ca-config's keyStore of type pkcs11, against a real SoftHSM2 token (a fresh one per test, each test in a
 * JVM of its own: {@link SoftHsm}). Every kind of signature an issuer makes (self-signed root, CSR, subordinate
 * certificate, leaf, CRL, OCSP responder certificate) is made by the token and verified in software with the issuer's
 * public key; OCSP responses are signed by the delegated responder's software key (RFC 6960 §4.2.2.2). The keystore
 * then holds no private key, a second CA (another node) finds the keys by the generations' names, and the token's
 * certificate objects become the real certificates.
 */
@ExtendWith(SoftHsm.class)
class CertificateAuthorityTokenTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    static CertificateAuthority tokenCa(Token token) {
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        ca.useToken(token.definition(), System::getenv);
        return ca;
    }

    @Test
    void everySignatureOfAHierarchyInTheTokenIsMadeByTheToken(Token token) throws Exception {
        CertificateAuthority ca = tokenCa(token);
        ca.initialise(PASSPHRASE);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // A root: generated in the token, self-signed by it.
        ca.generateKey("hsm-root", KeySpec.EC_P384);
        assertThat(ca.keyLocation("hsm-root")).contains(KeyLocation.PKCS11);
        X509Certificate root = ca.selfSign("hsm-root", "CN=HSM Root,O=Certwright Test", now, now.plus(Duration.ofDays(3650)), 1);
        root.verify(root.getPublicKey(), "SunEC");
        assertThat(ca.tokenCertificate("hsm-root")).get().matches(PlaceholderCertificate::is, "the placeholder until installed");
        ca.installIssuers(List.of(new IssuerGeneration("hsm-root", "hsm-root", 1, List.of(root))));
        assertThat(ca.tokenCertificate("hsm-root")).contains(root);

        // An intermediate: its CSR signed by its own token key, its certificate by the root's.
        ca.generateKey("hsm-issuing", KeySpec.EC_P256);
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(ca.certificationRequest("hsm-issuing", "CN=HSM Issuing,O=Certwright Test", 0));
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ca.publicKey("hsm-issuing").orElseThrow()))).isTrue();
        X509Certificate issuing = ca.certifyIssuer("hsm-root", "hsm-issuing", "CN=HSM Issuing,O=Certwright Test", now, now.plus(Duration.ofDays(1825)), 0);
        issuing.verify(root.getPublicKey(), "SunEC");
        ca.installIssuers(List.of(new IssuerGeneration("hsm-root", "hsm-root", 1, List.of(root)),
                new IssuerGeneration("hsm-issuing", "hsm-issuing", 1, List.of(issuing, root))));
        assertThat(ca.issuer("hsm-issuing").hardwareKey()).isTrue();

        // A leaf, validated by the JDK's PKIX validator to the root.
        KeyPair leafKey = KeySpec.EC_P256.generate(RANDOM);
        X509Certificate leaf = ca.sign(new CertificateTemplate("hsm-issuing", SerialNumber.random(RANDOM), "web.test", List.of("web.test"), List.of(),
                leafKey.getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(30)), List.of("serverAuth")));
        validate(leaf, issuing, root);

        // A CRL, streamed and signed by the token.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CrlDraft draft = ca.newCrl("hsm-issuing", 7, now, now.plus(Duration.ofDays(1)), null)) {
            draft.add(leaf.getSerialNumber(), now, RevocationReason.keyCompromise);
            draft.writeTo(out);
        }
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(out.toByteArray()));
        crl.verify(issuing.getPublicKey(), "SunEC");
        assertThat(crl.getRevokedCertificate(leaf.getSerialNumber())).isNotNull();

        // OCSP: the responder's certificate is signed by the token; the responder's own key is in software and signs the answers.
        KeyPair responderKey = KeySpec.EC_P256.generate(RANDOM);
        X509Certificate responder = ca.signOcspResponderCertificate("hsm-issuing", responderKey.getPublic(), SerialNumber.random(RANDOM), now,
                now.plus(Duration.ofDays(14)));
        responder.verify(issuing.getPublicKey(), "SunEC");
        assertThat(responder.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.9");
        ca.installOcspResponder("hsm-issuing", responder, responderKey.getPrivate());
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(issuing), leaf.getSerialNumber());
        byte[] response = ca.signOcspResponse("hsm-issuing", List.of(OcspAnswer.good(id)), now, now.plus(Duration.ofHours(1)), null, now);
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(response).getResponseObject();
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responderKey.getPublic()))).isTrue();

        // No private key in the keystore: it carries the KEK only.
        CaKeystore keystore = ca.keystore();
        assertThat(keystore.privateKeyAliases(PASSPHRASE)).isEmpty();
        assertThat(keystore.keyEncryptionKeys(PASSPHRASE)).containsOnlyKeys("kek-1");
        ca.adopt(keystore);

        // The token holds the keys, generated as sensitive and never extractable, beside their real certificates.
        Pkcs11Objects objects = Pkcs11Objects.of(token.pkcs11Tool("--list-objects"));
        for (String name : List.of("hsm-root", "hsm-issuing")) {
            assertThat(objects.privateKey(name).get("Access")).as(name).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
            assertThat(objects.privateKey(name).get("Usage")).as(name).isEqualTo("sign");
        }
        assertThat(objects.certificate("hsm-root").get("subject")).isEqualTo("DN: CN=HSM Root, O=Certwright Test");
        assertThat(objects.certificate("hsm-issuing").get("subject")).isEqualTo("DN: CN=HSM Issuing, O=Certwright Test");
        assertThat(objects.toString()).doesNotContain(PlaceholderCertificate.MARK);

        // Another node: the same keystore, the keys found in the token by the generations' names.
        CertificateAuthority other = tokenCa(token);
        other.open(keystore, PASSPHRASE);
        other.attachTokenKeys(List.of("hsm-root", "hsm-issuing"));
        assertThat(other.keyLocation("hsm-issuing")).contains(KeyLocation.PKCS11);
        other.installIssuers(List.of(new IssuerGeneration("hsm-root", "hsm-root", 1, List.of(root)),
                new IssuerGeneration("hsm-issuing", "hsm-issuing", 1, List.of(issuing, root))));
        X509Certificate second = other.sign(new CertificateTemplate("hsm-issuing", SerialNumber.random(RANDOM), "api.test", List.of("api.test"), List.of(),
                leafKey.getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(30)), List.of("serverAuth")));
        validate(second, issuing, root);
        assertThatThrownBy(() -> other.attachTokenKeys(List.of("hsm-issuing-g2"))).isInstanceOf(CaException.class)
                .hasMessage(other.tokenDescription().orElseThrow() + " holds no key for issuer generation(s) [hsm-issuing-g2], whose keys the registry"
                        + " says are in a PKCS#11 token; open the token that holds them (keyStore.tokenLabel or keyStore.slot)");
        CertificateAuthority withoutToken = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        withoutToken.open(keystore, PASSPHRASE);
        assertThatThrownBy(() -> withoutToken.attachTokenKeys(List.of("hsm-root"))).isInstanceOf(CaException.class)
                .hasMessage("the keys of issuer generation(s) [hsm-root] are in a PKCS#11 token, and ca-config has no keyStore of type pkcs11 to open it with");
    }

    @Test
    void anImportedKeyGoesIntoTheTokenAndNoSoftwareCopyIsKept(Token token) throws Exception {
        CertificateAuthority ca = tokenCa(token);
        ca.initialise(PASSPHRASE);
        KeyPair existing = KeySpec.RSA_2048.generate(RANDOM);
        X509Certificate certificate = selfSignedCa(existing, "CN=Existing Root,O=Certwright Test");

        ca.importKey("existing-root", existing.getPrivate(), certificate);
        ca.installIssuers(List.of(new IssuerGeneration("existing-root", "existing-root", 1, List.of(certificate))));

        assertThat(ca.keyLocation("existing-root")).contains(KeyLocation.PKCS11);
        assertThat(ca.issuer("existing-root").key().getEncoded()).as("a token handle, not the imported key").isNull();
        assertThat(ca.keystore().privateKeyAliases(PASSPHRASE)).isEmpty();
        Pkcs11Objects objects = Pkcs11Objects.of(token.pkcs11Tool("--list-objects"));
        assertThat(objects.privateKey("existing-root").get("Access")).isEqualTo(Pkcs11Objects.IMPORTED_ACCESS);
        Instant now = Instant.now();
        X509Certificate leaf = ca.sign(new CertificateTemplate("existing-root", SerialNumber.random(RANDOM), null, List.of("a.test"), List.of(),
                KeySpec.EC_P256.generate(RANDOM).getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(1)), List.of("serverAuth")));
        leaf.verify(certificate.getPublicKey(), "SunRsaSign");
        // Another key for the certificate is refused before anything reaches the token.
        assertThatThrownBy(() -> ca.importKey("other-root", KeySpec.RSA_2048.generate(RANDOM).getPrivate(), certificate))
                .isInstanceOf(CaException.class).hasMessage("the private key of issuer other-root does not belong to its certificate");
        assertThat(Pkcs11Objects.of(token.pkcs11Tool("--list-objects")).count("Private Key Object")).isEqualTo(1);
    }

    @Test
    void aKeyMadeForAChangeThatWasNotRecordedIsDeletedFromTheTokenAndARecordedOneStays(Token token) {
        CertificateAuthority ca = tokenCa(token);
        ca.initialise(PASSPHRASE);

        ca.generateKey("rolled-g2", KeySpec.EC_P256);
        ca.discardKey("rolled-g2");
        assertThat(ca.keyNames()).isEmpty();
        assertThat(Pkcs11Objects.of(token.pkcs11Tool("--list-objects")).hasPrivateKey("rolled-g2")).isFalse();

        // The retry makes its key under the same name; once recorded (adopted), forgetting it leaves it in the token.
        ca.generateKey("rolled-g2", KeySpec.EC_P256);
        ca.adopt(ca.keystore());
        ca.discardKey("rolled-g2");
        assertThat(Pkcs11Objects.of(token.pkcs11Tool("--list-objects")).hasPrivateKey("rolled-g2")).isTrue();
    }

    @Test
    void keyEncryptionKeysAreMadeAndFoundInTheToken(Token token) {
        CertificateAuthority ca = tokenCa(token);
        javax.crypto.SecretKey kek = ca.generateTokenKeyEncryptionKey("kek-2");

        assertThat(kek.getEncoded()).isNull();
        assertThat(tokenCa(token).tokenKeyEncryptionKeys()).containsOnlyKeys("kek-2");
        assertThat(ca.tokenProvider()).isPresent();
        assertThat(new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080").tokenKeyEncryptionKeys()).isEmpty();
        ca.deleteTokenKeyEncryptionKey("kek-2");
        assertThat(ca.tokenKeyEncryptionKeys()).isEmpty();
    }

    private static X509Certificate selfSignedCa(KeyPair pair, String subject) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(RANDOM.nextInt(1, Integer.MAX_VALUE)), java.util.Date.from(now),
                java.util.Date.from(now.plus(Duration.ofDays(365))), name, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    }

    private static void validate(X509Certificate leaf, X509Certificate issuing, X509Certificate root) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf, issuing)), parameters);
    }
}
