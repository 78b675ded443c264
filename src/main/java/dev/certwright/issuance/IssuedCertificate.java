package dev.certwright.issuance;

import java.security.cert.X509Certificate;
import java.util.List;

import dev.certwright.inventory.CertificateRecord;
import dev.certwright.x509.Pem;

/**
 * A freshly issued certificate, its chain (intermediates, the root left out as a trust anchor should be), and the
 * inventory record as it was committed.
 */
public record IssuedCertificate(long certificateId, X509Certificate certificate, List<X509Certificate> chain, CertificateRecord record) {

    public String certificatePem() {
        return Pem.encode(certificate);
    }

    public String chainPem() {
        return Pem.encodeChain(chain);
    }
}
