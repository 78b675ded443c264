package dev.certwright.ca;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;

import dev.certwright.x509.SerialNumber;

/**
 * What to put in a leaf certificate. The CA adds what follows from the issuer and the key: SKI/AKI, key usage,
 * basic constraints, CRL distribution point and AIA.
 *
 * @param commonName the subject CN, or null for an empty subject (the SAN extension is then critical)
 * @param extendedKeyUsages RFC 5280 §4.2.1.12 names: serverAuth, clientAuth, …
 */
public record CertificateTemplate(String issuer, SerialNumber serial, String commonName, List<String> dnsNames,
        List<String> ipAddresses, PublicKey publicKey, Instant notBefore, Instant notAfter,
        List<String> extendedKeyUsages) {
}
