package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.List;

/**
 * RFC 8555 §7.1.4 authorization. Its status (§7.1.6): pending until one challenge is valid (then valid) or fails (then
 * invalid); a pending one past its expiry is expired; the client may deactivate it.
 */
public record Authorization(long id, long orderId, Identifier identifier, boolean wildcard, String status, Instant expires) {

    /** The status as of now: a pending authorization past its expiry reads expired. */
    public String statusAt(Instant now) {
        return Status.PENDING.equals(status) && !expires.isAfter(now) ? Status.EXPIRED : status;
    }

    /**
     * The challenges offered for an identifier: RFC 8555 §7.1.4, a wildcard only by dns-01; RFC 8738 §7, an IP address
     * not by dns-01.
     */
    public static List<String> challengeTypes(Identifier identifier, boolean wildcard) {
        if (wildcard) {
            return List.of(Challenge.DNS_01);
        }
        if (Identifier.IP.equals(identifier.type())) {
            return List.of(Challenge.HTTP_01, Challenge.TLS_ALPN_01);
        }
        return List.of(Challenge.HTTP_01, Challenge.DNS_01, Challenge.TLS_ALPN_01);
    }
}
