package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.SerialNumber;

/** RFC 6960 §2.2 and §4.4.8: the answer for a serial reserved but never issued. */
class NonIssuedOcspAnswerTest {

    @Test
    void aNonIssuedSerialIsRevokedOnHoldSince1970WithTheExtendedRevokeExtension() throws Exception {
        SecureRandom random = new SecureRandom();
        char[] passphrase = "correct horse battery staple".toCharArray();
        var config = CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml"));
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), random, "http://pki.test:8080");
        ca.install(ca.createKeystore(config, passphrase), passphrase, config);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        KeyPair keys = KeySpec.EC_P256.generate(random);
        X509Certificate responder = ca.signOcspResponderCertificate("dev-issuing", keys.getPublic(), SerialNumber.random(random),
                now.minusSeconds(60), now.plus(Duration.ofDays(1)));
        ca.installOcspResponder("dev-issuing", responder, keys.getPrivate());
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(ca.issuer("dev-issuing").certificate()), SerialNumber.random(random).value());

        BasicOCSPResp reserved = basic(ca.signOcspResponse("dev-issuing", List.of(OcspAnswer.nonIssued(id)), now, now.plusSeconds(3600), null, now));
        RevokedStatus status = (RevokedStatus) reserved.getResponses()[0].getCertStatus();
        assertThat(status.getRevocationTime().toInstant()).isEqualTo(Instant.EPOCH);
        assertThat(status.getRevocationReason()).isEqualTo(CRLReason.certificateHold);
        assertThat(reserved.getExtension(OcspSigning.EXTENDED_REVOKE)).as("id-pkix-ocsp-extended-revoke").isNotNull();
        assertThat(reserved.getExtension(OcspSigning.EXTENDED_REVOKE).isCritical()).isFalse();

        BasicOCSPResp good = basic(ca.signOcspResponse("dev-issuing", List.of(OcspAnswer.good(id)), now, now.plusSeconds(3600), null, now));
        assertThat(good.getExtension(OcspSigning.EXTENDED_REVOKE)).as("only where a non-issued serial is answered").isNull();
    }

    private static BasicOCSPResp basic(byte[] der) throws Exception {
        return (BasicOCSPResp) new OCSPResp(der).getResponseObject();
    }
}
