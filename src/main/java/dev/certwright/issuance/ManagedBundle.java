package dev.certwright.issuance;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.certwright.inventory.CertificateRecord;

/** A managed certificate's current instance with its chain and its private key, for an authorised consumer only. */
public record ManagedBundle(String name, CertificateRecord record, X509Certificate certificate, List<X509Certificate> chain,
        PrivateKey privateKey) {

    /** Never prints the key. */
    @Override
    public String toString() {
        return "ManagedBundle[" + name + ", serial " + record.serial() + "]";
    }
}
