package dev.certwright.issuance;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;

import dev.certwright.inventory.CertificateSource;

/**
 * A request to issue one certificate.
 *
 * @param privateKey the key Certwright generated and will hold (managed certificates), or null when the requester
 *     holds it (CSR)
 * @param managedName the managed certificate this instance belongs to, or null
 * @param predecessorId the instance this one succeeds, or null
 * @param actor who asks, for the audit log
 */
public record IssuanceRequest(String profile, String commonName, List<String> dnsNames, List<String> ipAddresses,
        PublicKey publicKey, PrivateKey privateKey, Duration validity, String owner, List<String> tags,
        CertificateSource source, String managedName, Long predecessorId, String actor) {

    /** Never prints the private key. */
    @Override
    public String toString() {
        return "IssuanceRequest[profile=" + profile + ", names=" + dnsNames + ipAddresses + ", owner=" + owner + ", managed=" + managedName + "]";
    }
}
