package dev.certwright.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import dev.certwright.inventory.CertificateQuery;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.issuance.IssuanceException;

/** The query parameters of {@code GET /api/v1/certificates}, checked (400 with what is wrong) and made an inventory query. */
final class CertificateSearch {

    private static final List<String> SORTS = List.of("notAfter", "-notAfter", "createdAt", "-createdAt");

    private CertificateSearch() {
    }

    static CertificateQuery query(String owner, String tag, String q, String status, String expiringWithin, String issuer, String source,
            String sort, int page, int size) {
        String normalisedStatus = status == null ? null : CertificateStatus.Effective.parse(status)
                .orElseThrow(() -> bad("status must be one of " + String.join(", ",
                        new TreeSet<>(Arrays.stream(CertificateStatus.Effective.values()).map(Enum::name).toList()))))
                .name();
        if (!SORTS.contains(sort)) {
            throw bad("sort must be one of notAfter, -notAfter, createdAt, -createdAt");
        }
        if (page < 0 || page > 1_000_000) {
            throw bad("page must be 0 or more");
        }
        if (size < 1 || size > 500) {
            throw bad("size must be from 1 to 500");
        }
        String normalisedSource = source == null ? null : source.toUpperCase(Locale.ROOT);
        if (normalisedSource != null) {
            try {
                CertificateSource.valueOf(normalisedSource);
            } catch (IllegalArgumentException e) {
                throw bad("source must be one of " + Arrays.toString(CertificateSource.values()));
            }
        }
        Duration within = null;
        if (expiringWithin != null) {
            try {
                within = Duration.parse(expiringWithin);
            } catch (DateTimeParseException e) {
                throw bad("expiringWithin must be an ISO-8601 duration such as P30D");
            }
            if (within.isNegative()) {
                throw bad("expiringWithin must not be negative");
            }
        }
        return new CertificateQuery(blankToNull(owner), blankToNull(tag), blankToNull(q), normalisedStatus, within, blankToNull(issuer),
                normalisedSource, sort, page, size);
    }

    private static IssuanceException bad(String message) {
        return new IssuanceException(IssuanceException.Type.BAD_REQUEST, message);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
