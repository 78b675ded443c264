package dev.certwright.x509;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made at run time for chain tests: keys are P-256 and never leave the test. */
public final class TestCertificates {

    private TestCertificates() {
    }

    public static KeyPair ecKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A certificate for {@code subject} with {@code key}, signed by {@code signer} under the issuer name {@code issuer}.
     * {@code pathLen} null and {@code ca} true: CA without a length limit; {@code ca} false: basicConstraints cA FALSE.
     */
    public static X509Certificate certificate(String subject, PublicKey key, String issuer, PrivateKey signer, boolean ca, Integer pathLen,
            BigInteger serial) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), serial, Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject), key);
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate certificate(String subject, PublicKey key, String issuer, PrivateKey signer, boolean ca, Integer pathLen) {
        return certificate(subject, key, issuer, signer, ca, pathLen, new BigInteger(64, new java.security.SecureRandom()).add(BigInteger.ONE));
    }
}
