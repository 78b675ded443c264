package dev.certwright.discovery;

import java.time.Instant;

/** A stored scan: its spec, who made it, and when it runs next by itself (null: on request only). */
public record Scan(long id, ScanSpec spec, String createdBy, Instant createdAt, Instant updatedAt, Instant nextRunAt) {
}
