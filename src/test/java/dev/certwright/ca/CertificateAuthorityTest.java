package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.SerialNumber;

class CertificateAuthorityTest {

    static final CaConfiguration CONFIG = CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml"));
    static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    static final SecureRandom RANDOM = new SecureRandom();
    static CertificateAuthority ca;
    static CaKeystore keystore;

    @BeforeAll
    static void createHierarchy() {
        ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        keystore = ca.createKeystore(CONFIG, PASSPHRASE);
        ca.install(keystore, PASSPHRASE, CONFIG);
    }

    @Test
    void hierarchyHasARootAndAnIntermediateSignedByIt() throws Exception {
        Issuer root = ca.issuer("dev-root");
        Issuer issuing = ca.issuer("dev-issuing");
        assertThat(root.chain()).hasSize(1);
        assertThat(issuing.chain()).hasSize(2).endsWith(root.certificate());
        issuing.certificate().verify(root.certificate().getPublicKey());
        assertThat(root.certificate().getBasicConstraints()).isEqualTo(1);
        assertThat(issuing.certificate().getBasicConstraints()).isEqualTo(0);
        assertThat(root.certificate().getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(root.keySpec()).isEqualTo(KeySpec.EC_P256);
        assertThat(issuing.certificate().getNotAfter()).isBeforeOrEqualTo(root.certificate().getNotAfter());
    }

    @ParameterizedTest(name = "a {0} leaf chains to the root and carries the profile's extensions")
    @EnumSource(KeySpec.class)
    void signsLeavesOfEveryKeyAlgorithm(KeySpec spec) throws Exception {
        KeyPair keys = spec.generate(RANDOM);
        Instant now = Instant.now();
        SerialNumber serial = SerialNumber.random(RANDOM);
        X509Certificate leaf = ca.sign(new CertificateTemplate("dev-issuing", serial, "web.test", List.of("web.test", "api.test"),
                List.of("127.0.0.1"), keys.getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(30)), List.of("serverAuth")));

        assertThat(leaf.getSerialNumber()).isEqualTo(serial.value());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        boolean[] usage = leaf.getKeyUsage();
        assertThat(usage[0]).as("digitalSignature").isTrue();
        assertThat(usage[2]).as("keyEncipherment only for RSA").isEqualTo(spec.family().equals("RSA"));
        assertThat(usage[5]).as("no keyCertSign").isFalse();
        assertThat(leaf.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList()).containsExactly("web.test", "api.test", "127.0.0.1");

        JcaX509CertificateHolder holder = new JcaX509CertificateHolder(leaf);
        JcaX509CertificateHolder issuer = new JcaX509CertificateHolder(ca.issuer("dev-issuing").certificate());
        assertThat(AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifier())
                .isEqualTo(SubjectKeyIdentifier.fromExtensions(issuer.getExtensions()).getKeyIdentifier());
        assertThat(SubjectKeyIdentifier.fromExtensions(holder.getExtensions())).isNotNull();
        var cdp = org.bouncycastle.asn1.x509.CRLDistPoint.getInstance(holder.getExtension(Extension.cRLDistributionPoints).getParsedValue());
        var cdpName = org.bouncycastle.asn1.x509.GeneralNames.getInstance(cdp.getDistributionPoints()[0].getDistributionPoint().getName());
        assertThat(cdpName.getNames()[0].getName().toString()).isEqualTo("http://pki.test:8080/crl/dev-issuing.crl");
        var aia = org.bouncycastle.asn1.x509.AuthorityInformationAccess.getInstance(holder.getExtension(Extension.authorityInfoAccess).getParsedValue());
        assertThat(Arrays.stream(aia.getAccessDescriptions()).map(d -> d.getAccessMethod().getId() + " " + d.getAccessLocation().getName()).toList())
                .containsExactly("1.3.6.1.5.5.7.48.1 http://pki.test:8080/ocsp", "1.3.6.1.5.5.7.48.2 http://pki.test:8080/ca/dev-issuing.crt");

        validate(leaf);
    }

    @Test
    void issuersMayUseRsaEd25519AndP384Keys() throws Exception {
        String yaml = """
                issuers:
                  rsa-root: {subject: "CN=RSA Root", keyAlgorithm: RSA-3072, validity: P3650D}
                  ed-issuing: {parent: rsa-root, subject: "CN=Ed25519 Issuing", keyAlgorithm: Ed25519, validity: P365D, pathLength: 0}
                  p384-issuing: {parent: rsa-root, subject: "CN=P-384 Issuing", keyAlgorithm: EC-P384, validity: P365D, pathLength: 0}
                profiles:
                  ed: {issuer: ed-issuing, extendedKeyUsages: [serverAuth], maxValidity: P30D}
                  p384: {issuer: p384-issuing, extendedKeyUsages: [serverAuth], maxValidity: P30D}
                policy:
                  dnsNames: ["*.test"]
                  keyAlgorithms: [EC-P256, RSA-2048, Ed25519]
                """;
        CaConfiguration mixed = CaConfigLoader.parse("mixed.yml", new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        CertificateAuthority other = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test");
        other.install(other.createKeystore(mixed, PASSPHRASE), PASSPHRASE, mixed);
        assertThat(other.issuer("rsa-root").keySpec()).isEqualTo(KeySpec.RSA_3072);
        assertThat(other.issuer("ed-issuing").keySpec()).isEqualTo(KeySpec.ED25519);
        assertThat(other.issuer("p384-issuing").keySpec()).isEqualTo(KeySpec.EC_P384);
        for (String issuer : List.of("ed-issuing", "p384-issuing")) {
            for (KeySpec leafKey : List.of(KeySpec.EC_P256, KeySpec.RSA_2048, KeySpec.ED25519)) {
                Instant now = Instant.now();
                X509Certificate leaf = other.sign(new CertificateTemplate(issuer, SerialNumber.random(RANDOM), null, List.of("a.test"), List.of(),
                        leafKey.generate(RANDOM).getPublic(), now, now.plus(Duration.ofDays(1)), List.of("serverAuth")));
                leaf.verify(other.issuer(issuer).certificate().getPublicKey());
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(other.issuer("rsa-root").certificate(), null)));
                params.setRevocationEnabled(false);
                CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                        .generateCertPath(List.of(leaf, other.issuer(issuer).certificate())), params);
            }
        }
        assertThat(other.issuer("ed-issuing").certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void anEmptySubjectMakesTheSanCritical() {
        KeyPair keys = KeySpec.EC_P256.generate(RANDOM);
        Instant now = Instant.now();
        X509Certificate leaf = ca.sign(new CertificateTemplate("dev-issuing", SerialNumber.random(RANDOM), null, List.of("a.test"), List.of(),
                keys.getPublic(), now, now.plusSeconds(3600), List.of("clientAuth")));
        assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
        assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.subjectAlternativeName.getId());
    }

    @Test
    void refusesToOutliveTheIssuer() {
        KeyPair keys = KeySpec.EC_P256.generate(RANDOM);
        Instant now = Instant.now();
        assertThatThrownBy(() -> ca.sign(new CertificateTemplate("dev-issuing", SerialNumber.random(RANDOM), null, List.of("a.test"), List.of(),
                keys.getPublic(), now, now.plus(Duration.ofDays(365 * 20)), List.of("serverAuth"))))
                .isInstanceOf(CaException.class).hasMessageContaining("outlive");
    }

    @Test
    void keystoreReopensWithThePassphraseOnly() {
        CertificateAuthority reopened = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        reopened.install(CaKeystore.of(keystore.bytes()), PASSPHRASE, CONFIG);
        assertThat(reopened.issuer("dev-issuing").certificate()).isEqualTo(ca.issuer("dev-issuing").certificate());
        assertThatThrownBy(() -> new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://x")
                .install(CaKeystore.of(keystore.bytes()), "wrong passphrase".toCharArray(), CONFIG))
                .isInstanceOf(CaException.class).hasMessageContaining("passphrase");
    }

    @Test
    void keystoreEntriesUsePbes2WithAes256() throws Exception {
        // RFC 8018 PBES2 OID 1.2.840.113549.1.5.13 and AES-256-CBC OID 2.16.840.1.101.3.4.1.42 appear in the PKCS#12.
        byte[] bytes = keystore.bytes();
        assertThat(indexOf(bytes, new byte[] {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x05, 0x0d})).isGreaterThan(0);
        assertThat(indexOf(bytes, new byte[] {0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a})).isGreaterThan(0);
    }

    @Test
    void openingTheKeystoreHandsBackTheSameKeyEncryptionKeyEveryTime() {
        javax.crypto.SecretKey first = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://x").install(CaKeystore.of(keystore.bytes()),
                PASSPHRASE, CONFIG);
        javax.crypto.SecretKey second = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://x").install(CaKeystore.of(keystore.bytes()),
                PASSPHRASE, CONFIG);
        assertThat(first.getAlgorithm()).isEqualTo("AES");
        assertThat(first.getEncoded()).hasSize(32).isEqualTo(second.getEncoded());
    }

    /**
     * A root rollover's cross-certificate (RFC 5280 §3.2; RFC 4210 §4.4's newWithOld): the old root certifies the new
     * root's key under the same subject, so an issuer signed by the new root validates both to the new root and, through
     * the cross-certificate, to the old one. The cross-certificate is self-issued, so it takes no place in the old
     * root's path length (RFC 5280 §6.1.4 (l)), and it does not outlive the old root.
     */
    @Test
    void aCrossCertificateChainsWhatTheNewRootSignsToTheOldRoot() throws Exception {
        CertificateAuthority authority = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String subject = "CN=Cross Test Root,O=Certwright Test";
        authority.generateKey("root", KeySpec.EC_P256);
        X509Certificate oldRoot = authority.selfSign("root", subject, now, now.plus(Duration.ofDays(30)), 1);
        authority.generateKey("root-g2", KeySpec.EC_P384);
        X509Certificate newRoot = authority.selfSign("root-g2", subject, now, now.plus(Duration.ofDays(90)), 1);
        authority.installIssuers(List.of(new IssuerGeneration("root", "root", 1, List.of(oldRoot)),
                new IssuerGeneration("root-g2", "root", 2, List.of(newRoot))));
        X509Certificate cross = authority.certifyIssuer("root", "root-g2", subject, now, newRoot.getNotAfter().toInstant(), 1);
        authority.generateKey("issuing-g2", KeySpec.EC_P256);
        X509Certificate issuing = authority.certifyIssuer("root-g2", "issuing-g2", "CN=Cross Test Issuing,O=Certwright Test", now,
                now.plus(Duration.ofDays(20)), 0);

        assertThat(cross.getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal()).isEqualTo(cross.getIssuerX500Principal());
        assertThat(cross.getPublicKey()).isEqualTo(newRoot.getPublicKey());
        cross.verify(oldRoot.getPublicKey());
        assertThat(cross.getNotAfter()).isEqualTo(oldRoot.getNotAfter());
        assertThat(cross.getBasicConstraints()).isEqualTo(1);
        for (var path : List.of(List.of(issuing), List.of(issuing, cross))) {
            X509Certificate anchor = path.size() == 1 ? newRoot : oldRoot;
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        }
    }

    private static void validate(X509Certificate leaf) throws Exception {
        List<X509Certificate> path = new ArrayList<>();
        path.add(leaf);
        path.add(ca.issuer("dev-issuing").certificate());
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.issuer("dev-root").certificate(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
