package dev.certwright.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.platform.Timestamps;
import dev.certwright.support.MigratedH2;

/**
 * The overview's figures counted by week and by the days after whole weeks, and the clustered snapshot that also feeds
 * the gauges: the same figures as counting each bucket on its own, boundaries included, and the overview switching to
 * the snapshot only for an inventory above the live limit.
 */
class InventoryStatisticsTest {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    JdbcClient jdbc;
    InventoryStatistics statistics;
    long serial;

    @BeforeEach
    void migrate() {
        DataSource dataSource = MigratedH2.create("statistics");
        jdbc = JdbcClient.create(dataSource);
        statistics = new InventoryStatistics(jdbc, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    void insert(int count, String status, Instant notAfter) {
        jdbc.sql("INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, subject, common_name, sans, key_algorithm, "
                        + "key_size, not_before, not_after, fingerprint_sha256, owner, created_at, updated_at) "
                        + "SELECT CAST(:base + x AS VARCHAR), 'CN=Test CA', 'dev-issuing', :status, 'ISSUED', 'tls-server', 'CN=h' || x, 'h' || x, "
                        + "'h' || x, 'EC', 256, :before, :notAfter, CAST(:base + x AS VARCHAR), 'team', :before, :before FROM SYSTEM_RANGE(1, :count) AS r (x)")
                .param("base", serial).param("status", status).param("before", Timestamps.of(NOW.minus(Duration.ofDays(1))))
                .param("notAfter", Timestamps.of(notAfter)).param("count", count).update();
        serial += count;
    }

    static Instant days(double days) {
        return NOW.plus(Duration.ofSeconds(Math.round(days * 86_400)));
    }

    @Test
    void everyBucketIsCountedWithItsBoundaries() {
        insert(3, "ISSUED", NOW);                 // expired: notAfter is not after now
        insert(1, "ISSUED", days(-400));          // long expired
        insert(1, "ISSUED", Instant.parse("1949-06-01T00:00:00Z")); // before UTCTime: still counted
        insert(2, "ISSUED", days(7));             // exactly 7 days: within 7
        insert(4, "ISSUED", days(7.0001));        // just after: within 30, in the second week
        insert(5, "ISSUED", days(30));            // within 30, week 5 (days 28 to 35)
        insert(6, "ISSUED", days(90));            // within 90, week 13 (days 84 to 91)
        insert(7, "ISSUED", days(90.5));          // beyond 90 days: later, yet in the chart's 13th week
        insert(8, "ISSUED", days(400));           // later
        insert(9, "REVOKED", days(3));            // revoked: in no window
        insert(10, "PENDING", days(3));
        insert(11, "FAILED", days(3));

        InventoryStatistics.Overview live = statistics.live(13);
        assertThat(live.live()).isTrue();
        assertThat(List.of(live.within7(), live.within30(), live.within90())).containsExactly(2L, 11L, 17L);
        List<Long> weeks = new java.util.ArrayList<>(Collections.nCopies(13, 0L));
        weeks.set(0, 2L);
        weeks.set(1, 4L);
        weeks.set(4, 5L);
        weeks.set(12, 6L + 7L);
        assertThat(live.weeks()).isEqualTo(weeks);
        // A shorter chart counts the days after its weeks on their own: the same figures.
        InventoryStatistics.Overview shortChart = statistics.live(3);
        assertThat(List.of(shortChart.within7(), shortChart.within30(), shortChart.within90())).containsExactly(2L, 11L, 17L);

        InventoryStatistics.Snapshot stored = statistics.refreshSnapshot(13);
        InventoryStatistics.Snapshot read = statistics.snapshot(13);
        assertThat(read).isNotNull();
        assertThat(read.overview().live()).isFalse();
        assertThat(read.overview().countedAt()).isEqualTo(NOW);
        assertThat(read.overview().weeks()).isEqualTo(weeks);
        assertThat(List.of(read.overview().within7(), read.overview().within30(), read.overview().within90())).containsExactly(2L, 11L, 17L);
        assertThat(read.expired()).isEqualTo(5);
        assertThat(read.later()).isEqualTo(15);
        assertThat(read.statuses()).containsEntry(CertificateStatus.ISSUED, 37L).containsEntry(CertificateStatus.REVOKED, 9L)
                .containsEntry(CertificateStatus.PENDING, 10L).containsEntry(CertificateStatus.FAILED, 11L);
        assertThat(read.statuses()).isEqualTo(stored.statuses());
        // ISSUED is derived from three ranges; it must equal a plain count.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM certificate WHERE status = 'ISSUED'").query(Long.class).single()).isEqualTo(37L);
        // A chart of another length does not read a snapshot stored for 13 weeks.
        assertThat(statistics.snapshot(12)).isNull();
    }

    @Test
    void theOverviewCountsLiveUntilTheWindowPassesTheLimitThenReadsTheSnapshot() {
        insert(5, "ISSUED", days(10));
        statistics.refreshSnapshot(13);
        insert(1, "ISSUED", days(10));
        // Small: live, so the certificate added after the snapshot is counted.
        assertThat(statistics.overview(13).live()).isTrue();
        assertThat(statistics.overview(13).within30()).isEqualTo(6);

        insert((int) InventoryStatistics.LIVE_LIMIT, "ISSUED", days(20));
        statistics.refreshSnapshot(13);
        insert(1, "ISSUED", days(10));
        InventoryStatistics.Overview large = statistics.overview(13);
        assertThat(large.live()).isFalse();
        assertThat(large.within30()).isEqualTo(InventoryStatistics.LIVE_LIMIT + 6);
    }
}
