package dev.certwright.issuance;

import dev.certwright.inventory.ManagedCertificate;

/**
 * On-host key mode: the key of a managed certificate is made on its target and never leaves it. The deployer
 * implements this: it has the target make a key and a CSR, issues for the CSR's public key through
 * {@link ManagedCertificateService#issueForHostKey}, and deploys the certificate beside the key it made.
 */
public interface OnHostKeys {

    /** Makes a new key on the slot's target and issues the slot's next instance for it. */
    IssuedCertificate issue(ManagedCertificate slot, String actor);
}
