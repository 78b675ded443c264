package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.List;

/**
 * RFC 8555 §7.1.4 authorization. Its status (§7.1.6): pending until one challenge is valid (then valid) or fails (then
 * invalid); a pending one past its expiry is expired; the client may deactivate it.
 */
public record Authorization(long id, long orderId, Identifier identifier, boolean wildcard, AuthorizationStatus status, Instant expires) {

    /** The status as of now: a pending authorization past its expiry reads expired. */
    public AuthorizationStatus statusAt(Instant now) {
        return status == AuthorizationStatus.PENDING && !expires.isAfter(now) ? AuthorizationStatus.EXPIRED : status;
    }

    /** RFC 8555 §7.5.1: a challenge response is taken only while its authorization is pending (and not expired). */
    public boolean acceptsChallengeResponse(Instant now) {
        return statusAt(now) == AuthorizationStatus.PENDING;
    }

    /** RFC 8555 §7.1.6: the status this authorization moves to once one of its challenges is valid. */
    public AuthorizationStatus onChallengeValid() {
        return status.afterChallenge(true);
    }

    /** RFC 8555 §7.1.6: the status this authorization moves to once one of its challenges failed. */
    public AuthorizationStatus onChallengeInvalid() {
        return status.afterChallenge(false);
    }

    /**
     * The challenges offered for an identifier: RFC 8555 §7.1.4, a wildcard only by dns-01; RFC 8738 §7, an IP address
     * not by dns-01.
     */
    public static List<ChallengeType> challengeTypes(Identifier identifier, boolean wildcard) {
        if (wildcard) {
            return List.of(ChallengeType.DNS_01);
        }
        if (identifier.type() == IdentifierType.IP) {
            return List.of(ChallengeType.HTTP_01, ChallengeType.TLS_ALPN_01);
        }
        return List.of(ChallengeType.HTTP_01, ChallengeType.DNS_01, ChallengeType.TLS_ALPN_01);
    }
}
