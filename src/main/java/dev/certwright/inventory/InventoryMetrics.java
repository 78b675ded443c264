package dev.certwright.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Inventory gauges, counted once a minute (not per scrape, so a large inventory costs one query a minute):
 * {@code certwright.certificates{status}} and {@code certwright.certificates.expiring{within}} for issued
 * certificates by days to expiry (expired, 7, 30, 90 days, later).
 */
@Component
class InventoryMetrics {

    private static final int[] BUCKETS = {7, 30, 90};

    private final JdbcClient jdbc;
    private final Clock clock;
    private final MultiGauge byStatus;
    private final MultiGauge byExpiry;

    InventoryMetrics(JdbcClient jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.byStatus = MultiGauge.builder("certwright.certificates").description("certificates in the inventory by status").register(meters);
        this.byExpiry = MultiGauge.builder("certwright.certificates.expiring").description("issued certificates by time left")
                .register(meters);
    }

    @Scheduled(initialDelay = 5_000, fixedDelay = 60_000)
    void refresh() {
        List<MultiGauge.Row<?>> statusRows = new ArrayList<>();
        jdbc.sql("SELECT status, COUNT(*) AS n FROM certificate GROUP BY status").query((rs, i) -> {
            statusRows.add(MultiGauge.Row.of(Tags.of("status", rs.getString("status")), rs.getLong("n")));
            return null;
        }).list();
        byStatus.register(statusRows, true);

        Instant now = clock.instant();
        List<MultiGauge.Row<?>> expiryRows = new ArrayList<>();
        expiryRows.add(MultiGauge.Row.of(Tags.of("within", "expired"), count(Instant.EPOCH, now)));
        Instant from = now;
        for (int days : BUCKETS) {
            Instant to = now.plus(Duration.ofDays(days));
            expiryRows.add(MultiGauge.Row.of(Tags.of("within", days + "d"), count(from, to)));
            from = to;
        }
        expiryRows.add(MultiGauge.Row.of(Tags.of("within", "later"), count(from, Instant.parse("9999-12-31T00:00:00Z"))));
        byExpiry.register(expiryRows, true);
    }

    private long count(Instant from, Instant to) {
        return jdbc.sql("SELECT COUNT(*) FROM certificate WHERE status = 'ISSUED' AND not_after > :from AND not_after <= :to")
                .param("from", Timestamps.of(from)).param("to", Timestamps.of(to)).query(Long.class).single();
    }
}
