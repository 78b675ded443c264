package dev.certwright.deploy;

import java.time.Instant;

/**
 * One attempt to put one instance of a managed certificate on one target.
 *
 * @param status PENDING (queued, or running under a lease), VERIFIED (the probe saw the new leaf), FAILED (nothing
 *        was changed, or the rollback itself failed), ROLLED_BACK (the previous files are back)
 * @param steps milliseconds per step, such as {@code connect=85 upload=40 install=12 reload=30 probe=210}
 */
public record Deployment(long id, String managedName, long certificateId, String serial, String targetName, String status,
        String trigger, int attempt, Instant nextAttemptAt, String reason, String steps, String requestedBy, Instant createdAt,
        Instant startedAt, Instant finishedAt) {

    public static final String PENDING = "PENDING";
    public static final String VERIFIED = "VERIFIED";
    public static final String FAILED = "FAILED";
    public static final String ROLLED_BACK = "ROLLED_BACK";
}
