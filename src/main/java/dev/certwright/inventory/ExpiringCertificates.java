package dev.certwright.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/**
 * The inventory's side of the expiry-notice scan (decision 40): certificates coming up to expiry that nothing else will
 * replace in time, read by index from the three small sets the scan looks at, in (notAfter, id) order and in pages, so
 * that the notices module can leave out what it has already told without reading the inventory's tables.
 */
@Component
public class ExpiringCertificates {

    /** A certificate inside an expiry window without a successor or a renewal on the way. */
    public record Expiring(long id, String serial, String owner, String sans, String subject, Instant notAfter, String source,
            String managedName) {
    }

    /** A position in (notAfter, id) order: a page starts after it. */
    public record After(Instant notAfter, long id) {

        /** The position of the last certificate of a page. */
        public static After of(Expiring last) {
            return new After(last.notAfter(), last.id());
        }
    }

    private static final String COLUMNS = "SELECT c.id, c.serial, c.owner, c.sans, c.subject, c.not_after, c.source, c.managed_name FROM certificate c ";
    /**
     * Issued or imported, not revoked, without a successor and without a renewal on the way, expiring after now and
     * within the horizon.
     */
    private static final String DUE = "c.status = 'ISSUED' AND c.successor_id IS NULL AND c.not_after > :now AND c.not_after <= :horizon "
            // Certwright's own OCSP responder certificates renew themselves on a schedule of their own.
            + "AND (c.purpose IS NULL OR c.purpose <> 'OCSP_RESPONDER') "
            // A discovered certificate has nobody to tell until an operator sets its owner (decision 75).
            + "AND c.owner IS NOT NULL "
            // A managed certificate whose renewal is scheduled before it expires will get its successor.
            + "AND NOT EXISTS (SELECT 1 FROM managed_certificate m WHERE m.current_certificate_id = c.id "
            + "AND m.renew_flagged_at IS NULL AND m.renew_at IS NOT NULL AND m.renew_at < c.not_after) ";

    private final JdbcClient jdbc;

    /** Reads from the inventory's database. */
    public ExpiringCertificates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * At most {@code limit} certificates due within {@code (now, horizon]}, after {@code after} (null: from the start),
     * among those expiring from {@code from} on, those created from {@code since} on, and the managed certificates'
     * current instances: what may have become due since the last scan.
     */
    public List<Expiring> changedSince(Instant now, Instant horizon, Instant from, Instant since, After after, int limit) {
        Map<String, Object> params = common(now, horizon, after, limit);
        params.put("from", Timestamps.of(from));
        params.put("since", Timestamps.of(since));
        return jdbc.sql(COLUMNS + "WHERE c.id IN (SELECT id FROM certificate WHERE status = 'ISSUED' AND not_after >= :from AND not_after <= :horizon "
                        + "UNION ALL SELECT id FROM certificate WHERE status = 'ISSUED' AND created_at >= :since "
                        + "UNION ALL SELECT current_certificate_id FROM managed_certificate WHERE current_certificate_id IS NOT NULL) AND "
                        + DUE + page(after) + "ORDER BY c.not_after, c.id LIMIT :limit")
                .params(params).query(ExpiringCertificates::expiring).list();
    }

    /** At most {@code limit} certificates due within {@code (now, horizon]} that expire in {@code [from, to]}, after {@code after}. */
    public List<Expiring> expiringBetween(Instant now, Instant horizon, Instant from, Instant to, After after, int limit) {
        Map<String, Object> params = common(now, horizon, after, limit);
        params.put("from", Timestamps.of(from));
        params.put("to", Timestamps.of(to));
        return jdbc.sql(COLUMNS + "WHERE c.status = 'ISSUED' AND c.not_after >= :from AND c.not_after <= :to AND " + DUE + page(after)
                        + "ORDER BY c.not_after, c.id LIMIT :limit")
                .params(params).query(ExpiringCertificates::expiring).list();
    }

    /**
     * The expiry of the {@code count}-th ISSUED certificate expiring in {@code [from, horizon]}, by the index alone, or
     * empty when fewer are left: where a walk of {@code count} index entries ends.
     */
    public Optional<Instant> walkEnd(Instant from, Instant horizon, int count) {
        return jdbc.sql("SELECT not_after FROM certificate WHERE status = 'ISSUED' AND not_after >= :from AND not_after <= :horizon "
                        + "ORDER BY not_after LIMIT 1 OFFSET :skip")
                .param("from", Timestamps.of(from)).param("horizon", Timestamps.of(horizon)).param("skip", count - 1)
                .query((rs, i) -> Timestamps.read(rs, 1)).optional();
    }

    private static String page(After after) {
        return after == null ? "" : "AND (c.not_after > :afterAt OR (c.not_after = :afterAt AND c.id > :afterId)) ";
    }

    private static Map<String, Object> common(Instant now, Instant horizon, After after, int limit) {
        Map<String, Object> params = new HashMap<>();
        params.put("now", Timestamps.of(now));
        params.put("horizon", Timestamps.of(horizon));
        params.put("limit", limit);
        if (after != null) {
            params.put("afterAt", Timestamps.of(after.notAfter()));
            params.put("afterId", after.id());
        }
        return params;
    }

    private static Expiring expiring(ResultSet rs, int row) throws SQLException {
        return new Expiring(rs.getLong("id"), rs.getString("serial"), rs.getString("owner"), rs.getString("sans"), rs.getString("subject"),
                Timestamps.read(rs, "not_after"), rs.getString("source"), rs.getString("managed_name"));
    }
}
