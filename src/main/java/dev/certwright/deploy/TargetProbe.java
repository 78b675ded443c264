package dev.certwright.deploy;

import java.time.Instant;

/** What a target served for one slot when last probed: the served and expected SHA-256 fingerprints, or the error. */
public record TargetProbe(String managedName, Instant probedAt, String servedSha256, String expectedSha256, boolean drifted, String error) {
}
