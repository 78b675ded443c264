package dev.certwright.deploy;

import java.time.Instant;

/**
 * One attempt to put one instance of a managed certificate on one target.
 *
 * @param status where it stands ({@link DeploymentStatus})
 * @param steps milliseconds per step, such as {@code connect=85 upload=40 install=12 reload=30 probe=210}
 */
public record Deployment(long id, String managedName, long certificateId, String serial, String targetName, DeploymentStatus status,
        String trigger, int attempt, Instant nextAttemptAt, String reason, String steps, String requestedBy, Instant createdAt,
        Instant startedAt, Instant finishedAt) {
}
