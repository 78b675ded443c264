package dev.certwright.inventory;

import java.time.Duration;

/**
 * A search of the inventory. Every criterion is optional.
 *
 * @param q a substring of a name (SAN), the subject or the serial, case-insensitive
 * @param status PENDING, ISSUED, FAILED, REVOKED or EXPIRED; when null, PENDING and FAILED rows are left out
 * @param expiringWithin only certificates whose notAfter lies between now and now plus this
 * @param sort {@code notAfter}, {@code -notAfter}, {@code createdAt} or {@code -createdAt}
 */
public record CertificateQuery(String owner, String tag, String q, String status, Duration expiringWithin,
        String issuer, String source, String sort, int page, int size) {
}
