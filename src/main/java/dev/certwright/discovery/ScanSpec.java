package dev.certwright.discovery;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a scan connects to and how fast: the body of {@code POST /api/v1/discovery/scans}.
 *
 * @param name the scan's name, its key in the API
 * @param targets host names, IP addresses and CIDR ranges
 * @param ports the TCP ports to try on every address
 * @param serverNames the SNI names (RFC 6066 §3) to send, each in its own handshake; one handshake without SNI is always made
 * @param schedule how often the scan runs by itself, or null: on request only
 * @param concurrency the most handshakes in flight, or null for the default
 * @param ratePerSecond the most handshakes started per second, or null for the default
 */
public record ScanSpec(String name, List<String> targets, List<Integer> ports, List<String> serverNames, Duration schedule,
        Integer concurrency, Integer ratePerSecond) {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** RFC 1123 §2.1 host names, labels of letters, digits and hyphens (a leading "*." is no name to connect to). */
    static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    static final int MAX_TARGETS = 1024;
    static final int MAX_PORTS = 1024;
    static final int MAX_SERVER_NAMES = 64;
    static final Duration MIN_SCHEDULE = Duration.ofMinutes(1);
    static final int DEFAULT_CONCURRENCY = 32;
    static final int DEFAULT_RATE = 100;

    public ScanSpec {
        // Copies that keep a null element, so that validated() names it instead of the copy failing.
        targets = targets == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(targets));
        ports = ports == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(ports));
        serverNames = serverNames == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(serverNames));
    }

    /** Refuses with INVALID what no scan can use, naming the field and the value; the limits are the node's. */
    ScanSpec validated(int maxConcurrency, int maxRate) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name must be 1 to 64 lowercase letters, digits and ._- starting with a letter or digit");
        }
        if (targets.isEmpty() || targets.size() > MAX_TARGETS) {
            throw invalid("targets must list 1 to " + MAX_TARGETS + " host names, IP addresses or CIDR ranges");
        }
        for (String target : targets) {
            if (target == null || target.length() > 255 || !ScanTargets.wellFormed(target)) {
                throw invalid("targets: '" + shorten(target) + "' is not a host name, an IP address or a CIDR range");
            }
        }
        if (ports.isEmpty() || ports.size() > MAX_PORTS) {
            throw invalid("ports must list 1 to " + MAX_PORTS + " TCP ports");
        }
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65535) {
                throw invalid("ports: " + port + " is not a TCP port (1 to 65535)");
            }
        }
        if (serverNames.size() > MAX_SERVER_NAMES) {
            throw invalid("serverNames must list at most " + MAX_SERVER_NAMES + " names");
        }
        for (String serverName : serverNames) {
            // RFC 6066 §3: a host name, not an IP literal.
            if (serverName == null || !HOST_NAME.matcher(serverName).matches() || dev.certwright.platform.InternetAddresses.isLiteral(serverName)) {
                throw invalid("serverNames: '" + shorten(serverName) + "' is not a DNS host name");
            }
        }
        if (schedule != null && (schedule.compareTo(MIN_SCHEDULE) < 0 || schedule.compareTo(Duration.ofDays(366)) > 0)) {
            throw invalid("schedule must be an ISO 8601 duration from PT1M to P366D");
        }
        if (concurrency != null && (concurrency < 1 || concurrency > maxConcurrency)) {
            throw invalid("concurrency must be from 1 to " + maxConcurrency);
        }
        if (ratePerSecond != null && (ratePerSecond < 1 || ratePerSecond > maxRate)) {
            throw invalid("ratePerSecond must be from 1 to " + maxRate);
        }
        return new ScanSpec(name, targets.stream().distinct().toList(), ports.stream().distinct().toList(),
                serverNames.stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).distinct().toList(), schedule,
                concurrency == null ? Math.min(DEFAULT_CONCURRENCY, maxConcurrency) : concurrency,
                ratePerSecond == null ? Math.min(DEFAULT_RATE, maxRate) : ratePerSecond);
    }

    private static String shorten(String value) {
        return value == null ? "null" : value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }

    private static DiscoveryException invalid(String message) {
        return new DiscoveryException(DiscoveryException.Type.INVALID, message);
    }
}
