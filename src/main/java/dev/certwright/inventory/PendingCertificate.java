package dev.certwright.inventory;

import java.util.List;

import dev.certwright.x509.SerialNumber;

/** What is known of a certificate before it is signed: enough to reserve its serial and explain it later. */
public record PendingCertificate(SerialNumber serial, String issuerDn, String issuerName, CertificateSource source,
        String profile, String commonName, List<String> names, String owner, List<String> tags, String managedName,
        Long predecessorId, String requestedBy, CertificatePurpose purpose) {

    /** A subscriber's certificate. */
    public PendingCertificate(SerialNumber serial, String issuerDn, String issuerName, CertificateSource source, String profile,
            String commonName, List<String> names, String owner, List<String> tags, String managedName, Long predecessorId,
            String requestedBy) {
        this(serial, issuerDn, issuerName, source, profile, commonName, names, owner, tags, managedName, predecessorId, requestedBy,
                CertificatePurpose.SUBSCRIBER);
    }

    /** The same certificate, reserved for another purpose. */
    public PendingCertificate withPurpose(CertificatePurpose purpose) {
        return new PendingCertificate(serial, issuerDn, issuerName, source, profile, commonName, names, owner, tags, managedName,
                predecessorId, requestedBy, purpose);
    }
}
