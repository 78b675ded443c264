package dev.certwright.ca;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

import dev.certwright.x509.KeySpec;

/**
 * The stand-in certificate a freshly generated token key is stored with. SunPKCS11's KeyStore keeps a private key only
 * together with a certificate (the key's CKA_ID matches the certificate's; PKCS#11 v2.40 §4.6.3), and the issuer's real
 * certificate does not exist yet when its key is generated: a root's is signed by this very key, an intermediate's by
 * its parent after the public key is known. So the key is stored with a self-signed certificate, signed in the token
 * (which also proves that the new key signs), that {@link Pkcs11Token#replaceChain} later replaces.
 *
 * <p>It is told apart by its subject, {@code CN=<alias>,OU=Certwright key placeholder}, and it asserts nothing: no
 * extensions, one day of validity. Each alias gets its own subject, which SunPKCS11 needs to delete the certificate
 * again when it is replaced (it keeps a self-signed certificate that another one names as its issuer).
 */
final class PlaceholderCertificate {

    static final String MARK = "Certwright key placeholder";

    private PlaceholderCertificate() {
    }

    static X509Certificate create(String alias, PublicKey publicKey, PrivateKey privateKey, Provider provider, KeySpec spec,
            Instant now, SecureRandom random) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.OU, MARK).addRDN(BCStyle.CN, alias).build();
        Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
        // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets.
        BigInteger serial = new BigInteger(127, random).setBit(126);
        try {
            var builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore), Date.from(notBefore.plus(1, ChronoUnit.DAYS)),
                    subject, publicKey);
            var signer = ContentSigners.of(spec, privateKey, provider);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new CaException(CaException.Type.KEYSTORE, "cannot sign the placeholder certificate of token key '" + alias + "' (" + e.getMessage() + ")", e);
        }
    }

    /** True for a certificate made by {@link #create}: self-issued, with the placeholder's OU. */
    static boolean is(X509Certificate certificate) {
        X500Principal subject = certificate.getSubjectX500Principal();
        if (!subject.equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        X500Name name = X500Name.getInstance(subject.getEncoded());
        return java.util.Arrays.stream(name.getRDNs(BCStyle.OU))
                .anyMatch(rdn -> MARK.equals(rdn.getFirst().getValue().toString()));
    }
}
