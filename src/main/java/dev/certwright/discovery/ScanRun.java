package dev.certwright.discovery;

import java.time.Instant;
import java.util.List;

/**
 * One run of a scan, with its progress: endpoints (address, port, server name) to try and tried, handshakes that
 * completed, failures (refused, timed out, no TLS), certificates new to the inventory, and the first errors.
 */
public record ScanRun(long id, String scan, State state, String requestedBy, int endpointsTotal, int endpointsDone, int handshakes,
        int failures, int certificatesNew, List<String> errors, Instant createdAt, Instant startedAt, Instant finishedAt) {

    /** Where a run is. */
    public enum State {
        QUEUED, RUNNING, COMPLETED, FAILED
    }
}
