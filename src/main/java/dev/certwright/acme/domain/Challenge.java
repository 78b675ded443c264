package dev.certwright.acme.domain;

import java.time.Instant;

/**
 * RFC 8555 §7.1.5 and §8 challenge: pending → processing (the client said it is ready) → valid or invalid. {@code error}
 * is the problem document (JSON) of the failed validation.
 */
public record Challenge(long id, long authorizationId, String type, String token, String status, Instant validatedAt, String error) {

    public static final String HTTP_01 = "http-01";
    public static final String DNS_01 = "dns-01";
    public static final String TLS_ALPN_01 = "tls-alpn-01";
}
