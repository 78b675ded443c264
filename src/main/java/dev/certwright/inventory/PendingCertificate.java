package dev.certwright.inventory;

import java.util.List;

import dev.certwright.x509.SerialNumber;

/** What is known of a certificate before it is signed: enough to reserve its serial and explain it later. */
public record PendingCertificate(SerialNumber serial, String issuerDn, String issuerName, CertificateSource source,
        String profile, String commonName, List<String> names, String owner, List<String> tags, String managedName,
        Long predecessorId, String requestedBy) {
}
