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

    /**
     * The overview's figures. {@code live}: counted for this view; otherwise read from the snapshot the clustered job
     * {@code inventory-snapshot} stores once a minute, as of {@code countedAt}.
     */
    public record Overview(long within7, long within30, long within90, List<Long> weeks, Instant countedAt, boolean live) {
    }

    /** Up to this many certificates within 90 days, the overview counts live (exact, current); beyond, it reads the snapshot. */
    static final long LIVE_LIMIT = 20_000;

    /** The figures for the overview: live for an inventory small enough to count per view, else the latest snapshot. */
    public Overview overview(int weeks) {
        Overview snapshot = snapshot(weeks);
        if (snapshot != null && snapshot.within90() > LIVE_LIMIT) {
            return snapshot;
        }
        return live(weeks);
    }

    Overview live(int weeks) {
        return new Overview(expiringWithin(Duration.ofDays(7)), expiringWithin(Duration.ofDays(30)), expiringWithin(Duration.ofDays(90)),
                expiringPerWeek(weeks), clock.instant(), true);
    }

    private Overview snapshot(int weeks) {
        return jdbc.sql("SELECT computed_at, within7, within30, within90, weeks FROM inventory_snapshot WHERE id = 1")
                .query((rs, i) -> {
                    List<Long> perWeek = new ArrayList<>();
                    for (String n : rs.getString("weeks").split(",")) {
                        perWeek.add(Long.parseLong(n));
                    }
                    return perWeek.size() == weeks ? new Overview(rs.getLong("within7"), rs.getLong("within30"), rs.getLong("within90"), perWeek,
                            Timestamps.read(rs, "computed_at"), false) : null;
                }).optional().orElse(null);
    }

    /** Counts now and stores the result as the snapshot (the job {@code inventory-snapshot}, on one node at a time). */
    public Overview refreshSnapshot(int weeks) {
        long started = System.nanoTime();
        Overview counted = live(weeks);
        long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String perWeek = String.join(",", counted.weeks().stream().map(String::valueOf).toList());
        int updated = jdbc.sql("UPDATE inventory_snapshot SET computed_at = :at, took_ms = :took, within7 = :w7, within30 = :w30, within90 = :w90, "
                        + "weeks = :weeks WHERE id = 1")
                .param("at", Timestamps.of(counted.countedAt())).param("took", took).param("w7", counted.within7())
                .param("w30", counted.within30()).param("w90", counted.within90()).param("weeks", perWeek).update();
        if (updated == 0) {
            try {
                jdbc.sql("INSERT INTO inventory_snapshot (id, computed_at, took_ms, within7, within30, within90, weeks) "
                                + "VALUES (1, :at, :took, :w7, :w30, :w90, :weeks)")
                        .param("at", Timestamps.of(counted.countedAt())).param("took", took).param("w7", counted.within7())
                        .param("w30", counted.within30()).param("w90", counted.within90()).param("weeks", perWeek).update();
            } catch (org.springframework.dao.DuplicateKeyException e) {
                // another node stored the first snapshot a moment ago
            }
        }
        return counted;
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
