package dev.certwright.x509;

import java.net.InetAddress;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.security.auth.x500.X500Principal;

/** A parsed view of an X.509 certificate: the fields the inventory stores and shows. */
public record CertificateView(
        SerialNumber serial,
        String subject,
        String issuer,
        List<String> dnsNames,
        List<String> ipAddresses,
        KeySpec.KeyDescription key,
        Instant notBefore,
        Instant notAfter,
        Fingerprint fingerprint,
        boolean ca,
        byte[] der) {

    /** Parses what the inventory needs from a certificate. */
    public static CertificateView of(X509Certificate certificate) {
        try {
            byte[] der = certificate.getEncoded();
            List<String> dns = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2) {
                        dns.add((String) san.get(1));
                    } else if (type == 7) {
                        ips.add(IpAddresses.canonical(InetAddress.getByName((String) san.get(1))));
                    }
                }
            }
            return new CertificateView(
                    new SerialNumber(certificate.getSerialNumber()),
                    certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                    certificate.getIssuerX500Principal().getName(X500Principal.RFC2253),
                    List.copyOf(dns), List.copyOf(ips),
                    KeySpec.describe(certificate.getPublicKey()),
                    certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant(),
                    Fingerprint.sha256(der),
                    certificate.getBasicConstraints() >= 0,
                    der);
        } catch (CertificateEncodingException | CertificateParsingException | java.net.UnknownHostException e) {
            throw new X509Exception("certificate cannot be read: " + e.getMessage(), e);
        }
    }

    /** DNS names then IP addresses. */
    public List<String> sans() {
        List<String> all = new ArrayList<>(dnsNames);
        all.addAll(ipAddresses);
        return all;
    }
}
