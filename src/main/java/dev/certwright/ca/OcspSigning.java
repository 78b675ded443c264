package dev.certwright.ca;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import dev.certwright.x509.KeySpec;

/** Builds delegated OCSP responder certificates and signs OCSP responses with Bouncy Castle. */
final class OcspSigning {

    /** RFC 6960 §4.4.8: id-pkix-ocsp-extended-revoke, id-pkix-ocsp 9. */
    static final org.bouncycastle.asn1.ASN1ObjectIdentifier EXTENDED_REVOKE = OCSPObjectIdentifiers.id_pkix_ocsp.branch("9");

    private OcspSigning() {
    }

    /**
     * A delegated responder certificate (RFC 6960 §4.2.2.2): signed by the issuer it answers for, EKU id-kp-OCSPSigning,
     * and id-pkix-ocsp-nocheck (§4.2.2.2.1) so that clients do not ask about the responder itself; short-lived instead.
     */
    static X509Certificate responderCertificate(Issuer issuer, PublicKey publicKey, BigInteger serial, Instant notBefore, Instant notAfter) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, issuer.name() + " OCSP Responder").build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.certificate(), serial, Date.from(notBefore),
                    Date.from(notAfter), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            builder.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.certificate().getPublicKey()));
            var signer = issuer.contentSigner();
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot build the OCSP responder certificate of " + issuer.name(), e);
        }
    }

    /**
     * A successful, signed response (RFC 6960 §4.2.1) by the responder, identified by its key hash (byKey), with its
     * certificate included so that clients can check the delegation. {@code nonce} is the request's nonce extension
     * value (extnValue octets), echoed as it came (RFC 8954).
     */
    static byte[] sign(X509Certificate responder, PrivateKey key, List<OcspAnswer> answers, Instant thisUpdate, Instant nextUpdate,
            byte[] nonce, Instant producedAt) {
        try {
            var digests = new JcaDigestCalculatorProviderBuilder().build();
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(responder.getPublicKey().getEncoded());
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(spki, digests.get(RespID.HASH_SHA1)));
            for (OcspAnswer answer : answers) {
                builder.addResponse(answer.id(), status(answer), Date.from(thisUpdate), Date.from(nextUpdate), null);
            }
            java.util.List<Extension> extensions = new java.util.ArrayList<>(2);
            if (nonce != null) {
                // RFC 8954 §2.1: the response carries the request's nonce extension value, byte for byte.
                extensions.add(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, nonce));
            }
            if (answers.stream().anyMatch(OcspAnswer::isNonIssued)) {
                // RFC 6960 §2.2 and §4.4.8: a "revoked" answer for a non-issued certificate MUST come with the extended
                // revoked definition extension (id-pkix-ocsp-extended-revoke, value NULL, not critical).
                extensions.add(new Extension(EXTENDED_REVOKE, false, DERNull.INSTANCE.getEncoded()));
            }
            if (!extensions.isEmpty()) {
                builder.setResponseExtensions(new Extensions(extensions.toArray(Extension[]::new)));
            }
            var signer = new JcaContentSignerBuilder(KeySpec.of(responder.getPublicKey()).orElseThrow().signatureAlgorithm()).build(key);
            X509CertificateHolder[] chain = {new JcaX509CertificateHolder(responder)};
            var basic = builder.build(signer, chain, Date.from(producedAt));
            OCSPResp response = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic);
            return response.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new CaException(CaException.Type.SIGNING, "the OCSP responder certificate cannot be encoded", e);
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot sign an OCSP response", e);
        }
    }

    private static CertificateStatus status(OcspAnswer answer) {
        return switch (answer.status()) {
            case GOOD -> CertificateStatus.GOOD;
            case UNKNOWN -> new UnknownStatus();
            // RFC 6960 §4.2.1 RevokedInfo: the time, and the reason whenever one was recorded.
            case REVOKED -> new RevokedStatus(new RevokedInfo(new ASN1GeneralizedTime(Date.from(answer.revokedAt()), java.util.Locale.ROOT),
                    answer.reason() == null ? null : CRLReason.lookup(answer.reason().code())));
        };
    }
}
