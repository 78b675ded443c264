package dev.certwright.ca;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;


/**
 * Builds and signs X.509 v3 certificates with Bouncy Castle's builder; signatures come from the JDK's providers
 * (SunEC, SunRsaSign), which are the fastest on JDK 25.
 */
final class CertificateSigner {

    private static final Map<String, KeyPurposeId> EKUS = Map.of(
            "serverAuth", KeyPurposeId.id_kp_serverAuth,
            "clientAuth", KeyPurposeId.id_kp_clientAuth,
            "codeSigning", KeyPurposeId.id_kp_codeSigning,
            "emailProtection", KeyPurposeId.id_kp_emailProtection,
            "timeStamping", KeyPurposeId.id_kp_timeStamping,
            "OCSPSigning", KeyPurposeId.id_kp_OCSPSigning);

    private final String publicHttpUrl;

    CertificateSigner(String publicHttpUrl) {
        this.publicHttpUrl = publicHttpUrl.endsWith("/") ? publicHttpUrl.substring(0, publicHttpUrl.length() - 1) : publicHttpUrl;
    }

    /** A self-signed root: RFC 5280 §4.2.1.9 basicConstraints critical, keyCertSign and cRLSign. */
    X509Certificate root(X500Name subject, PublicKey publicKey, ContentSigner selfSigner, BigInteger serial, Instant notBefore,
            Instant notAfter, Integer pathLength) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore), Date.from(notAfter), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, basicConstraints(pathLength));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            return new JcaX509CertificateConverter().getCertificate(builder.build(selfSigner));
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot build root certificate " + subject, e);
        }
    }

    /** An intermediate signed by its parent, pointing at the parent's CRL and certificate. */
    X509Certificate intermediate(Issuer parent, X500Name subject, PublicKey publicKey, BigInteger serial, Instant notBefore,
            Instant notAfter, Integer pathLength) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(parent.certificate(), serial, Date.from(notBefore), Date.from(notAfter), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, basicConstraints(pathLength));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(parent.certificate().getPublicKey()));
            addRevocationPointers(builder, parent.name());
            return new JcaX509CertificateConverter().getCertificate(builder.build(parent.contentSigner()));
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot build intermediate certificate " + subject, e);
        }
    }

    /** A leaf certificate per RFC 5280 and the CA/B baseline profile for subscriber certificates. */
    X509Certificate leaf(Issuer issuer, CertificateTemplate template) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X500Name subject = template.commonName() == null ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                    : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, template.commonName()).build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.certificate(), template.serial().value(),
                    Date.from(template.notBefore()), Date.from(template.notAfter()), subject, template.publicKey());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(leafKeyUsage(template)));
            List<KeyPurposeId> purposes = template.extendedKeyUsages().stream().map(EKUS::get).toList();
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(template.publicKey()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.certificate().getPublicKey()));
            List<GeneralName> names = new ArrayList<>();
            template.dnsNames().forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            template.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            // RFC 5280 §4.2.1.6: the SAN extension is critical when the subject is empty.
            builder.addExtension(Extension.subjectAlternativeName, template.commonName() == null, new GeneralNames(names.toArray(GeneralName[]::new)));
            addRevocationPointers(builder, issuer.name());
            return new JcaX509CertificateConverter().getCertificate(builder.build(issuer.contentSigner()));
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot sign certificate " + template.serial() + " with issuer " + issuer.name(), e);
        }
    }

    /**
     * RFC 5280 §4.2.1.3 and RFC 8813: every key signs (digitalSignature); an RSA key used for TLS server
     * authentication may also be used for RSA key transport (keyEncipherment).
     */
    private static int leafKeyUsage(CertificateTemplate template) {
        int usage = KeyUsage.digitalSignature;
        if ("RSA".equals(template.publicKey().getAlgorithm()) && template.extendedKeyUsages().contains("serverAuth")) {
            usage |= KeyUsage.keyEncipherment;
        }
        return usage;
    }

    /** The URL of the issuer's delta CRL. */
    String deltaCrlUrl(String issuerName) {
        return publicHttpUrl + "/crl/" + issuerName + "-delta.crl";
    }

    /** A CRLDistributionPoints value with one full-name URI (RFC 5280 §4.2.1.13). */
    CRLDistPoint distributionPoints(String url) {
        GeneralName name = new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(url));
        return new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(new DistributionPointName(new GeneralNames(name)), null, null)});
    }

    /** RFC 5280 §4.2.1.13 CRL distribution point and §4.2.2.1 AIA with OCSP and caIssuers. */
    private void addRevocationPointers(X509v3CertificateBuilder builder, String issuerName) throws Exception {
        builder.addExtension(Extension.cRLDistributionPoints, false, distributionPoints(publicHttpUrl + "/crl/" + issuerName + ".crl"));
        builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[] {
                new AccessDescription(AccessDescription.id_ad_ocsp,
                        new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(publicHttpUrl + "/ocsp"))),
                new AccessDescription(AccessDescription.id_ad_caIssuers,
                        new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(publicHttpUrl + "/ca/" + issuerName + ".crt")))}));
    }

    private static BasicConstraints basicConstraints(Integer pathLength) {
        return pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength);
    }

}
