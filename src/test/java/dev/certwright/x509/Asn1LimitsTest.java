package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;

import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Asn1LimitsTest {

    /** The finding of issue 19: nested indefinite-length SEQUENCEs, {@code 30 80} repeated. */
    static byte[] nestedIndefinite(int levels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < levels; i++) {
            out.write(0x30);
            out.write(0x80);
        }
        for (int i = 0; i < levels; i++) {
            out.write(0);
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Nested definite-length SEQUENCEs, long-form lengths. */
    static byte[] nestedDefinite(int levels) {
        byte[] inner = {0x05, 0x00}; // NULL
        for (int i = 0; i < levels; i++) {
            byte[] outer = new byte[inner.length + 4];
            outer[0] = 0x30;
            outer[1] = (byte) 0x82;
            outer[2] = (byte) (inner.length >> 8);
            outer[3] = (byte) inner.length;
            System.arraycopy(inner, 0, outer, 4, inner.length);
            inner = outer;
        }
        return inner;
    }

    @ParameterizedTest(name = "{0} levels of indefinite-length nesting are refused")
    @ValueSource(ints = {33, 512, 5000})
    void deepIndefiniteNestingIsRefused(int levels) {
        assertThatThrownBy(() -> Asn1Limits.check(nestedIndefinite(levels), 1 << 20)).isInstanceOf(X509Exception.class)
                .hasMessageContaining("nested deeper than 32");
    }

    @Test
    void deepNestingIsRefusedEvenWhenTheInputIsCutShort() {
        byte[] full = nestedIndefinite(600);
        byte[] cut = java.util.Arrays.copyOf(full, 1024); // only the opening headers, as in the finding
        assertThatThrownBy(() -> Asn1Limits.check(cut, 65536)).hasMessageContaining("nested deeper than");
    }

    @Test
    void deepDefiniteNestingIsRefused() {
        assertThatThrownBy(() -> Asn1Limits.check(nestedDefinite(40), 65536)).hasMessageContaining("nested deeper than");
        assertThatCode(() -> Asn1Limits.check(nestedDefinite(31), 65536)).doesNotThrowAnyException();
    }

    @Test
    void deepNestingInsideAnOctetStringCounts() {
        byte[] deep = nestedIndefinite(40);
        byte[] octets = new byte[deep.length + 4];
        octets[0] = 0x04;
        octets[1] = (byte) 0x82;
        octets[2] = (byte) (deep.length >> 8);
        octets[3] = (byte) deep.length;
        System.arraycopy(deep, 0, octets, 4, deep.length);
        assertThatThrownBy(() -> Asn1Limits.check(octets, 65536)).hasMessageContaining("nested deeper than");
    }

    @Test
    void opaqueOctetsThatAreNotAsn1AreFine() {
        byte[] value = {0x04, 0x04, 0x30, (byte) 0x80, 0x30, 0x7f}; // an OCTET STRING whose content only starts like ASN.1
        assertThatCode(() -> Asn1Limits.check(value, 100)).doesNotThrowAnyException();
    }

    @Test
    void sizeTrailingDataTruncationAndEmptinessAreRefused() {
        byte[] ok = nestedDefinite(3);
        assertThatThrownBy(() -> Asn1Limits.check(ok, ok.length - 1)).hasMessageContaining("larger than");
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> Asn1Limits.check(trailing, 100)).hasMessageContaining("after its end");
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertThatThrownBy(() -> Asn1Limits.check(truncated, 100)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Asn1Limits.check(new byte[0], 100)).hasMessageContaining("empty");
        assertThatThrownBy(() -> Asn1Limits.check(new byte[] {0x04, (byte) 0x80, 0, 0}, 100)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Asn1Limits.check(new byte[] {0x30, (byte) 0x85, 1, 1, 1, 1, 1}, 100)).hasMessageContaining("malformed");
    }

    @Test
    void realCertificatesCsrsAndOcspRequestsPass() throws Exception {
        KeyPair root = TestCertificates.ecKey();
        var rootCertificate = TestCertificates.certificate("CN=Root", root.getPublic(), "CN=Root", root.getPrivate(), true, null);
        Asn1Limits.check(rootCertificate.getEncoded(), Pem.MAX_CERTIFICATE);
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1)),
                new JcaX509CertificateHolder(rootCertificate), BigInteger.TEN);
        byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        Asn1Limits.check(request, 65536);
        KeyPair leaf = TestCertificates.ecKey();
        var csr = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(new org.bouncycastle.asn1.x500.X500Name("CN=a.test"), leaf.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(leaf.getPrivate()));
        Asn1Limits.check(csr.getEncoded(), CsrView.MAX_LENGTH);
        assertThat(CsrView.parseDer(csr.getEncoded()).commonName()).isEqualTo("a.test");
    }

    @Test
    void theCsrAndCertificateParsersRefuseTheHostileInputWithAClientError() {
        byte[] hostile = nestedIndefinite(512);
        assertThatThrownBy(() -> CsrView.parseDer(hostile)).isInstanceOf(X509Exception.class).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> Pem.certificate(hostile)).isInstanceOf(X509Exception.class).hasMessageContaining("nested deeper");
        String pem = Pem.encode(Pem.CERTIFICATE_REQUEST, hostile);
        assertThatThrownBy(() -> CsrView.parsePem(pem)).isInstanceOf(X509Exception.class).hasMessageContaining("nested deeper");
    }
}
