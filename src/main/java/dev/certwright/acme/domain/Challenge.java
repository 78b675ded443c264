package dev.certwright.acme.domain;

import java.time.Instant;

/**
 * RFC 8555 §7.1.5 and §8 challenge: pending → processing (the client said it is ready) → valid or invalid. {@code error}
 * is the problem document (JSON) of the failed validation.
 */
public record Challenge(long id, long authorizationId, ChallengeType type, String token, ChallengeStatus status, Instant validatedAt,
        String error) {

    /** RFC 8555 §8.1: the key authorization, the token and the account key's thumbprint joined by a dot. */
    public String keyAuthorization(String accountThumbprint) {
        return token + "." + accountThumbprint;
    }
}
