package dev.certwright.issuance;

import java.security.PublicKey;

import dev.certwright.inventory.ManagedCertificate;

/**
 * On-host key mode: the key of a managed certificate is made on its target and never leaves it. The deployer
 * provides this: it has the target make a key and a CSR, checks the CSR's signature, and returns the public key.
 * Issuance then issues for it itself ({@link ManagedCertificateService#issueForHostKey}); the deployer does not call
 * back into issuance, and the deployment that the issuance queues installs the staged key with the certificate.
 */
public interface OnHostKeys {

    /**
     * Has the slot's single target make a new key beside its key file and returns its public half, proven held by the
     * host (the CSR's signature). Fails with an {@link IssuanceException} (BAD_REQUEST for an unusable target,
     * UPSTREAM when the host cannot make the key).
     */
    PublicKey makeKey(ManagedCertificate slot);
}
