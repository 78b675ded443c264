package dev.certwright.discovery;

import java.time.Instant;
import java.util.List;

/**
 * Where a certificate was served: host as the scan named it, the address connected to, port, SNI server name (null:
 * none), how TLS began, whether it was the leaf (or a chain certificate), the findings there, and when it was seen first
 * and last.
 */
public record Endpoint(long certificateId, String host, String address, int port, String serverName, EndpointProtocol protocol,
        boolean leaf, List<String> findings, Instant firstSeen, Instant lastSeen) {
}
