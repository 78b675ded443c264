package dev.certwright.deploy;

/**
 * A deployment attempt ended. {@code last}: no further attempt follows (VERIFIED, or the final failed attempt).
 * Published in the transaction that recorded the outcome.
 */
public record DeploymentFinished(long deploymentId, String managedName, long certificateId, String serial, String target,
        DeploymentStatus status, String reason, int attempt, boolean last) {
}
