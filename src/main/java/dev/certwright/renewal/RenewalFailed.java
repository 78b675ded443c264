package dev.certwright.renewal;

import java.time.Instant;

/**
 * A managed certificate's renewal failed. {@code flagged}: it failed {@code certwright.renewal.max-attempts} times and
 * automatic renewal stopped; otherwise it is retried at {@code retryAt}. Published in the transaction that recorded it.
 */
public record RenewalFailed(String name, String owner, int attempts, String error, boolean flagged, Instant retryAt) {
}
