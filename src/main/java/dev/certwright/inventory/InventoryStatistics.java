package dev.certwright.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/**
 * What the dashboard's overview and the inventory gauges count: the overview live with index-only range counts on
 * {@code (status, not_after)} while the inventory is small, else (and the gauges always) from the snapshot that
 * the clustered job {@code inventory-snapshot} stores once a minute.
 */
@Component
public class InventoryStatistics {

    private final JdbcClient jdbc;
    private final Clock clock;

    InventoryStatistics(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * The overview's figures, counted now: unrevoked certificates (our issuers and OCSP responders included) whose
     * notAfter lies in each of the next {@code weeks} weeks, and within 7, 30 and 90 days. Each figure is an index-only
     * range count on {@code (status, not_after)}: one per week (the weeks partition the window), and 7, 30 and 90 days
     * as whole weeks plus the days after them, so the window's entries are counted about once. One pass evaluating a
     * {@code SUM(CASE …)} per figure cost about three times as much on PostgreSQL (docs/benchmarks.md, decision 37).
     */
    Overview live(int weeks) {
        Instant now = clock.instant();
        List<Long> perWeek = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            perWeek.add(issuedBetween(now.plus(Duration.ofDays(7L * w)), now.plus(Duration.ofDays(7L * (w + 1)))));
        }
        return new Overview(withinDays(now, 7, perWeek), withinDays(now, 30, perWeek), withinDays(now, 90, perWeek), perWeek, now, true);
    }

    private long withinDays(Instant now, int days, List<Long> perWeek) {
        int whole = Math.min(days / 7, perWeek.size());
        long count = perWeek.subList(0, whole).stream().mapToLong(Long::longValue).sum();
        return whole * 7 == days ? count : count + issuedBetween(now.plus(Duration.ofDays(7L * whole)), now.plus(Duration.ofDays(days)));
    }

    /** Issued certificates with {@code from < notAfter <= to}. */
    private long issuedBetween(Instant from, Instant to) {
        return jdbc.sql("SELECT COUNT(*) FROM certificate WHERE status = 'ISSUED' AND not_after > :from AND not_after <= :to")
                .param("from", Timestamps.of(from)).param("to", Timestamps.of(to)).query(Long.class).single();
    }

    /**
     * The overview's figures. {@code live}: counted for this view; otherwise read from the snapshot the clustered job
     * {@code inventory-snapshot} stores once a minute, as of {@code countedAt}.
     */
    public record Overview(long within7, long within30, long within90, List<Long> weeks, Instant countedAt, boolean live) {
    }

    /**
     * What the clustered job counts once a minute: the overview's figures, and for the gauges the issued certificates
     * whose notAfter has passed ({@code expired}) or lies beyond 90 days ({@code later}), and the rows per status.
     */
    public record Snapshot(Overview overview, long expired, long later, Map<CertificateStatus, Long> statuses) {
    }

    /** Before and beyond any notAfter (X.509's GeneralizedTime runs from year 1 to 9999). */
    private static final Instant FAR_PAST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant FAR_FUTURE = Instant.parse("9999-12-31T23:59:59Z");

    /** Up to this many certificates within 90 days, the overview counts live (exact, current); beyond, it reads the snapshot. */
    static final long LIVE_LIMIT = 20_000;

    /** The figures for the overview: live for an inventory small enough to count per view, else the latest snapshot. */
    public Overview overview(int weeks) {
        Snapshot snapshot = snapshot(weeks);
        if (snapshot != null && snapshot.overview().within90() > LIVE_LIMIT) {
            return snapshot.overview();
        }
        return live(weeks);
    }

    /** The latest snapshot, if one was stored with this many weeks. */
    public Snapshot snapshot(int weeks) {
        return jdbc.sql("SELECT computed_at, within7, within30, within90, weeks, expired, later, statuses FROM inventory_snapshot WHERE id = 1")
                .query((rs, i) -> {
                    List<Long> perWeek = new ArrayList<>();
                    for (String n : rs.getString("weeks").split(",")) {
                        perWeek.add(Long.parseLong(n));
                    }
                    Map<CertificateStatus, Long> statuses = new EnumMap<>(CertificateStatus.class);
                    for (String pair : rs.getString("statuses").split(",")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            statuses.put(CertificateStatus.valueOf(pair.substring(0, eq)), Long.parseLong(pair.substring(eq + 1)));
                        }
                    }
                    return perWeek.size() == weeks ? new Snapshot(new Overview(rs.getLong("within7"), rs.getLong("within30"),
                            rs.getLong("within90"), perWeek, Timestamps.read(rs, "computed_at"), false), rs.getLong("expired"), rs.getLong("later"),
                            statuses) : null;
                }).optional().orElse(null);
    }

    /**
     * Counts now and stores the result as the snapshot (the job {@code inventory-snapshot}, on one node at a time):
     * the overview's range counts, the issued certificates before and beyond its 90 days (two more), and the rows of
     * the other statuses (an index range each); ISSUED's total is the sum of the three issued ranges.
     */
    public Snapshot refreshSnapshot(int weeks) {
        long started = System.nanoTime();
        Overview counted = live(weeks);
        Instant now = counted.countedAt();
        long expired = issuedBetween(FAR_PAST, now);
        long later = issuedBetween(now.plus(Duration.ofDays(90)), FAR_FUTURE);
        Map<CertificateStatus, Long> statuses = new EnumMap<>(CertificateStatus.class);
        for (CertificateStatus status : CertificateStatus.values()) {
            statuses.put(status, 0L);
        }
        jdbc.sql("SELECT status, COUNT(*) AS n FROM certificate WHERE status IN ('PENDING', 'FAILED', 'REVOKED') GROUP BY status")
                .query((rs, i) -> statuses.put(CertificateStatus.valueOf(rs.getString("status")), rs.getLong("n"))).list();
        statuses.put(CertificateStatus.ISSUED, expired + counted.within90() + later);
        Snapshot snapshot = new Snapshot(counted, expired, later, statuses);
        long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String perWeek = String.join(",", counted.weeks().stream().map(String::valueOf).toList());
        String perStatus = String.join(",", statuses.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        String set = "computed_at = :at, took_ms = :took, within7 = :w7, within30 = :w30, within90 = :w90, weeks = :weeks, expired = :expired, "
                + "later = :later, statuses = :statuses";
        java.util.function.UnaryOperator<JdbcClient.StatementSpec> values = statement -> statement.param("at", Timestamps.of(now))
                .param("took", took).param("w7", counted.within7()).param("w30", counted.within30()).param("w90", counted.within90())
                .param("weeks", perWeek).param("expired", expired).param("later", later).param("statuses", perStatus);
        int updated = values.apply(jdbc.sql("UPDATE inventory_snapshot SET " + set + " WHERE id = 1")).update();
        if (updated == 0) {
            try {
                values.apply(jdbc.sql("INSERT INTO inventory_snapshot (id, computed_at, took_ms, within7, within30, within90, weeks, expired, "
                        + "later, statuses) VALUES (1, :at, :took, :w7, :w30, :w90, :weeks, :expired, :later, :statuses)")).update();
            } catch (org.springframework.dao.DuplicateKeyException e) {
                // another node stored the first snapshot a moment ago
            }
        }
        return snapshot;
    }

    /** A certificate that expires soon, as the overview lists it; {@code label} is its subject, else its first name, else its serial. */
    /**
     * How many certificates the inventory holds from each source (issued here and by ACME, imported, discovered, our
     * issuers): the overview shows discovered ones next to issued ones. One count per source on V13's index.
     */
    public Map<CertificateSource, Long> countsBySource() {
        Map<CertificateSource, Long> counts = new java.util.EnumMap<>(CertificateSource.class);
        for (CertificateSource source : CertificateSource.values()) {
            counts.put(source, jdbc.sql("SELECT COUNT(*) FROM certificate WHERE source = :source").param("source", source.name())
                    .query(Long.class).single());
        }
        return counts;
    }

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
