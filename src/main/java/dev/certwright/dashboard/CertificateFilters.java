package dev.certwright.dashboard;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.certwright.inventory.CertificateQuery;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;

/**
 * The filters of the inventory page, as they stand in its URL (the view reads them back as {@code filters}), and
 * the inventory query they make; a bad filter is a 400 page that says which.
 */
record CertificateFilters(String q, String owner, String tag, String status, String source, String issuer, String expiringWithin, String sort) {

    /** The statuses a person filters by, in the order the page offers them. */
    static final List<String> STATUSES = Arrays.stream(CertificateStatus.Effective.values()).map(Enum::name).toList();
    static final List<String> SORTS = List.of("-createdAt", "createdAt", "notAfter", "-notAfter");

    CertificateQuery query(int page, int size) {
        String normalisedStatus = blank(status) ? null : CertificateStatus.Effective.parse(status)
                .orElseThrow(() -> new IllegalArgumentException("status must be one of " + STATUSES)).name();
        String normalisedSource = blank(source) ? null : source.toUpperCase(Locale.ROOT);
        if (normalisedSource != null && Arrays.stream(CertificateSource.values()).noneMatch(s -> s.name().equals(normalisedSource))) {
            throw new IllegalArgumentException("source must be one of " + Arrays.toString(CertificateSource.values()));
        }
        Duration within = null;
        if (!blank(expiringWithin)) {
            try {
                within = Duration.parse(expiringWithin);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expiringWithin must be an ISO-8601 duration such as P30D");
            }
        }
        String order = blank(sort) ? "-createdAt" : sort;
        if (!SORTS.contains(order)) {
            throw new IllegalArgumentException("sort must be one of " + SORTS);
        }
        return new CertificateQuery(trim(owner), trim(tag), trim(q), normalisedStatus, within, trim(issuer), normalisedSource, order, page, size);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String trim(String s) {
        return blank(s) ? null : s.trim();
    }
}
