package dev.certwright.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/**
 * What the dashboard's overview counts, each with one indexed range query (the {@code not_after} index) so that the
 * cost follows what is about to expire, not the size of the inventory.
 */
@Component
public class InventoryStatistics {

    private final JdbcClient jdbc;
    private final Clock clock;

    InventoryStatistics(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Unrevoked certificates (our issuers and OCSP responders included) whose notAfter lies within {@code within} from now. */
    public long expiringWithin(Duration within) {
        Instant now = clock.instant();
        return jdbc.sql("SELECT COUNT(*) FROM certificate WHERE not_after > :now AND not_after <= :horizon AND status = 'ISSUED'")
                .param("now", Timestamps.of(now)).param("horizon", Timestamps.of(now.plus(within))).query(Long.class).single();
    }

    /** How many expire in each of the next {@code weeks} weeks, first week first: one range scan, counted by week. */
    public List<Long> expiringPerWeek(int weeks) {
        Instant now = clock.instant();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int w = 0; w < weeks; w++) {
            sql.append(w == 0 ? "" : ", ").append("COALESCE(SUM(CASE WHEN not_after > :w").append(w).append(" AND not_after <= :w").append(w + 1)
                    .append(" THEN 1 ELSE 0 END), 0)");
        }
        sql.append(" FROM certificate WHERE not_after > :w0 AND not_after <= :w").append(weeks).append(" AND status = 'ISSUED'");
        JdbcClient.StatementSpec statement = jdbc.sql(sql.toString());
        for (int w = 0; w <= weeks; w++) {
            statement = statement.param("w" + w, Timestamps.of(now.plus(Duration.ofDays(7L * w))));
        }
        return statement.query((rs, i) -> {
            List<Long> out = new ArrayList<>();
            for (int w = 1; w <= weeks; w++) {
                out.add(rs.getLong(w));
            }
            return out;
        }).single();
    }

    /** A certificate that expires soon, as the overview lists it; {@code label} is its subject, else its first name, else its serial. */
    public record Expiring(long id, String serial, String label, String owner, String managedName, Instant notAfter, boolean renewed) {
    }

    /** The soonest-expiring unrevoked certificates, soonest first. */
    public List<Expiring> soonest(int limit) {
        return jdbc.sql("SELECT id, serial, subject, sans, owner, managed_name, not_after, successor_id FROM certificate WHERE not_after > :now "
                        + "AND status = 'ISSUED' ORDER BY not_after LIMIT :limit")
                .param("now", Timestamps.of(clock.instant())).param("limit", limit)
                .query((rs, i) -> new Expiring(rs.getLong("id"), rs.getString("serial"), label(rs.getString("subject"), rs.getString("sans"),
                        rs.getString("serial")), rs.getString("owner"),
                        rs.getString("managed_name"), Timestamps.read(rs, "not_after"), rs.getObject("successor_id") != null))
                .list();
    }

    /** A managed certificate whose renewal is failing or was given up. */
    public record FailingRenewal(String name, String owner, int attempts, String error, Instant flaggedAt, Instant retryAt) {
    }

    public List<FailingRenewal> failingRenewals(int limit) {
        return jdbc.sql("SELECT name, owner, renew_attempts, renew_error, renew_flagged_at, renew_at FROM managed_certificate "
                        + "WHERE renew_attempts > 0 ORDER BY renew_flagged_at DESC NULLS LAST, name LIMIT :limit")
                .param("limit", limit)
                .query((rs, i) -> new FailingRenewal(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        Timestamps.read(rs, "renew_flagged_at"), Timestamps.read(rs, "renew_at")))
                .list();
    }

    /** What to call a certificate in a list: its subject, else its first name, else its serial. */
    public static String label(String subject, String sans, String serial) {
        if (subject != null && !subject.isBlank()) {
            return subject;
        }
        if (sans != null && !sans.isBlank()) {
            return sans.split("\n")[0];
        }
        return serial;
    }
}
