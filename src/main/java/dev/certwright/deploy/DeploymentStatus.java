package dev.certwright.deploy;

/** Where a deployment stands. The names are the text stored in {@code deployment.status} and shown in JSON. */
public enum DeploymentStatus {
    /** Queued, or running under a lease. */
    PENDING,
    /** The probe saw the new leaf. */
    VERIFIED,
    /** Nothing was changed, or the rollback itself failed. */
    FAILED,
    /** The previous files are back. */
    ROLLED_BACK
}
