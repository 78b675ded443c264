package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.RevocationReason;

/** The streaming CRL writer: what it writes is a CRL that the JDK and Bouncy Castle parse and verify, entry for entry. */
class CrlDraftTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final char[] PASSPHRASE = "crl test passphrase".toCharArray();
    static CertificateAuthority ca;

    @BeforeAll
    static void createCa() throws Exception {
        CaConfiguration config = CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml"));
        ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test");
        ca.install(ca.createKeystore(config, PASSPHRASE), PASSPHRASE, config);
    }

    @ParameterizedTest(name = "the length header of {0} content bytes matches Bouncy Castle's DER")
    @ValueSource(ints = {0, 1, 127, 128, 255, 256, 65535, 65536, 16_777_215, 16_777_216, 40_000_000})
    void lengthHeadersMatchBouncyCastle(int length) throws Exception {
        // An OCTET STRING of the same length: Bouncy Castle writes tag 0x04 and then the definite length.
        byte[] expected = new DEROctetString(new byte[length]).getEncoded(ASN1Encoding.DER);
        byte[] header = CrlDraft.header(0x04, length);
        assertThat(Arrays.copyOf(expected, header.length)).isEqualTo(header);
        assertThat(expected.length).isEqualTo(header.length + length);
    }

    @Test
    void aFullCrlParsesAndVerifiesWithEveryEntryAndReason() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RevocationReason[] reasons = RevocationReason.values();
        try (CrlDraft draft = ca.newCrl("dev-issuing", 42, now, now.plus(Duration.ofDays(7)), null)) {
            for (int i = 0; i < 2000; i++) {
                draft.add(BigInteger.valueOf(1000 + i), now.minusSeconds(i), reasons[i % reasons.length]);
            }
            assertThat(draft.writeTo(out)).isEqualTo(out.size());
        }
        X509CRL crl = parse(out.toByteArray());
        crl.verify(ca.issuer("dev-issuing").certificate().getPublicKey());
        assertThat(crl.getRevokedCertificates()).hasSize(2000);
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(now);
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(now.plus(Duration.ofDays(7)));
        assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.issuer("dev-issuing").certificate().getSubjectX500Principal());
        assertThat(crl.getRevokedCertificate(BigInteger.valueOf(1001)).getRevocationReason()).isEqualTo(CRLReason.KEY_COMPROMISE);
        assertThat(crl.getRevokedCertificate(BigInteger.valueOf(1006)).getRevocationReason()).isEqualTo(CRLReason.CERTIFICATE_HOLD);
        // RFC 5280 §5.3.1: no reasonCode for unspecified.
        assertThat(crl.getRevokedCertificate(BigInteger.valueOf(1000)).getRevocationReason()).isNull();
        assertThat(crl.getRevokedCertificate(BigInteger.valueOf(1000)).getRevocationDate().toInstant()).isEqualTo(now);

        X509CRLHolder holder = new X509CRLHolder(out.toByteArray());
        assertThat(ASN1Integer.getInstance(holder.getExtension(Extension.cRLNumber).getParsedValue()).getValue()).isEqualTo(42);
        assertThat(holder.getExtension(Extension.freshestCRL)).isNotNull();
        assertThat(holder.getExtension(Extension.deltaCRLIndicator)).isNull();
        assertThat(holder.getExtension(Extension.authorityKeyIdentifier)).isNotNull();
        // Bouncy Castle re-encodes it to the same bytes: the stream was DER.
        assertThat(holder.toASN1Structure().getEncoded(ASN1Encoding.DER)).isEqualTo(out.toByteArray());
    }

    @Test
    void anEmptyCrlLeavesTheRevokedListOut() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CrlDraft draft = ca.newCrl("dev-root", 1, now, now.plus(Duration.ofDays(1)), null)) {
            draft.writeTo(out);
        }
        X509CRL crl = parse(out.toByteArray());
        crl.verify(ca.issuer("dev-root").certificate().getPublicKey());
        assertThat(crl.getRevokedCertificates()).isNull();
        // RFC 5280 §5.1.2.6: version, signature, issuer, thisUpdate, nextUpdate, extensions; no empty SEQUENCE.
        ASN1Sequence tbs = ASN1Sequence.getInstance(ASN1Sequence.getInstance(out.toByteArray()).getObjectAt(0));
        assertThat(tbs.size()).isEqualTo(6);
    }

    @Test
    void aDeltaCrlNamesItsBaseInACriticalIndicator() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CrlDraft draft = ca.newCrl("dev-issuing", 8, now, now.plus(Duration.ofDays(1)), 5L)) {
            draft.add(BigInteger.TEN, now, RevocationReason.removeFromCRL);
            draft.writeTo(out);
        }
        X509CRLHolder holder = new X509CRLHolder(out.toByteArray());
        assertThat(holder.getExtension(Extension.deltaCRLIndicator).isCritical()).isTrue();
        assertThat(ASN1Integer.getInstance(holder.getExtension(Extension.deltaCRLIndicator).getParsedValue()).getValue()).isEqualTo(5);
        assertThat(holder.getExtension(Extension.freshestCRL)).isNull();
        assertThat(parse(out.toByteArray()).getRevokedCertificate(BigInteger.TEN).getRevocationReason()).isEqualTo(CRLReason.REMOVE_FROM_CRL);
    }

    @Test
    void datesFrom2050AreGeneralizedTime() {
        assertThat(CrlDraft.time(Instant.parse("2049-12-31T23:59:59Z")).toASN1Primitive())
                .isInstanceOf(org.bouncycastle.asn1.ASN1UTCTime.class);
        assertThat(CrlDraft.time(Instant.parse("2050-01-01T00:00:00Z")).toASN1Primitive())
                .isInstanceOf(org.bouncycastle.asn1.ASN1GeneralizedTime.class);
        assertThat(CrlDraft.time(Instant.parse("2050-01-01T00:00:00Z")).getDate().toInstant()).isEqualTo(Instant.parse("2050-01-01T00:00:00Z"));
    }

    static X509CRL parse(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }
}
