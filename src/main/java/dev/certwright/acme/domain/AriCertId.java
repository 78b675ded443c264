package dev.certwright.acme.domain;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Base64;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * RFC 9773 §4.1 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial's DER INTEGER content),
 * without padding. It names a certificate in a renewalInfo URL and in an order's {@code replaces}.
 */
public record AriCertId(byte[] authorityKeyId, BigInteger serial) {

    /** Parses a certID; empty of meaning (null) when it is not one. */
    public static AriCertId parse(String text) {
        if (text == null || text.length() > 512) {
            return null;
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0 || text.contains("=")) {
            return null;
        }
        try {
            byte[] aki = Base64.getUrlDecoder().decode(text.substring(0, dot));
            byte[] serial = Base64.getUrlDecoder().decode(text.substring(dot + 1));
            if (aki.length == 0 || serial.length == 0) {
                return null;
            }
            return new AriCertId(aki, new BigInteger(serial));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The certID of a certificate; null when it carries no AKI keyIdentifier. */
    public static AriCertId of(byte[] der) {
        try {
            X509CertificateHolder holder = new X509CertificateHolder(der);
            AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.fromExtensions(holder.getExtensions());
            if (aki == null || aki.getKeyIdentifier() == null) {
                return null;
            }
            return new AriCertId(aki.getKeyIdentifier(), holder.getSerialNumber());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public static AriCertId of(X509Certificate certificate) {
        try {
            return of(certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            return null;
        }
    }

    /** True when the certificate (DER) is the one this certID names. */
    public boolean names(byte[] der) {
        AriCertId other = of(der);
        return other != null && other.serial.equals(serial) && java.util.Arrays.equals(other.authorityKeyId, authorityKeyId);
    }

    @Override
    public String toString() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(authorityKeyId) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(serial.toByteArray());
    }

}
