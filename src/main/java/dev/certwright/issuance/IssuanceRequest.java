package dev.certwright.issuance;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;

import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.x509.CsrView;

/**
 * A request to issue one certificate. Build it with a named factory ({@link #forCsr}, {@link #forManagedKey},
 * {@link #forRenewal}, {@link #forHostKey}) rather than the canonical constructor, whose thirteen components are
 * mostly null for any one kind of request.
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

    /**
     * A certificate for the public key of a CSR whose private key the requester holds (API, ACME): the profile and
     * policy decide the names, validity and extensions; nothing private is stored.
     *
     * @param validity the requested validity, or null for the profile's default
     */
    public static IssuanceRequest forCsr(String profile, CsrView csr, Duration validity, String owner, List<String> tags,
            CertificateSource source, String actor) {
        return new IssuanceRequest(profile, csr.commonName(), csr.dnsNames(), csr.ipAddresses(), csr.publicKey(), null, validity, owner,
                tags, source, null, null, actor);
    }

    /** The first instance of a managed certificate, for a key pair Certwright generated and will hold. */
    public static IssuanceRequest forManagedKey(ManagedCertificate slot, KeyPair keys, String actor) {
        return managed(slot, keys.getPublic(), keys.getPrivate(), null, actor);
    }

    /**
     * The successor of a managed certificate's current instance, for a key pair Certwright holds (a new one, or the
     * current one when the slot does not rekey); linked to its predecessor.
     */
    public static IssuanceRequest forRenewal(ManagedCertificate slot, KeyPair keys, String actor) {
        return managed(slot, keys.getPublic(), keys.getPrivate(), slot.currentCertificateId(), actor);
    }

    /**
     * The next instance of an on-host-key managed certificate, for a public key its target made: nothing private is
     * stored; linked to the current instance if there is one.
     */
    public static IssuanceRequest forHostKey(ManagedCertificate slot, PublicKey publicKey, String actor) {
        return managed(slot, publicKey, null, slot.currentCertificateId(), actor);
    }

    /** This request, as the successor of the certificate with this id (ACME ARI {@code replaces}, RFC 9773 §5); null for none. */
    public IssuanceRequest replacing(Long predecessor) {
        return new IssuanceRequest(profile, commonName, dnsNames, ipAddresses, publicKey, privateKey, validity, owner, tags, source,
                managedName, predecessor, actor);
    }

    private static IssuanceRequest managed(ManagedCertificate slot, PublicKey publicKey, PrivateKey privateKey, Long predecessor, String actor) {
        return new IssuanceRequest(slot.profile(), null, slot.dnsNames(), slot.ipAddresses(), publicKey, privateKey, slot.validity(),
                slot.owner(), slot.tags(), CertificateSource.ISSUED, slot.name(), predecessor, actor);
    }

    /** Never prints the private key. */
    @Override
    public String toString() {
        return "IssuanceRequest[profile=" + profile + ", names=" + dnsNames + ipAddresses + ", owner=" + owner + ", managed=" + managedName + "]";
    }
}
