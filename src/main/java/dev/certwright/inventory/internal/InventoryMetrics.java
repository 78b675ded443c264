package dev.certwright.inventory.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.InventoryStatistics;

/**
 * Inventory gauges: {@code certwright.certificates{status}} and {@code certwright.certificates.expiring{within}} for
 * issued certificates by time left (expired, 7, 30, 90 days, later). Read from the snapshot that the clustered job
 * {@code inventory-snapshot} counts once a minute, so that no node counts the whole inventory for its gauges (one row
 * read every five seconds per node); absent until the first snapshot.
 */
@Component
class InventoryMetrics {

    private final InventoryStatistics statistics;
    private final MultiGauge byStatus;
    private final MultiGauge byExpiry;

    InventoryMetrics(InventoryStatistics statistics, MeterRegistry meters) {
        this.statistics = statistics;
        this.byStatus = MultiGauge.builder("certwright.certificates").description("certificates in the inventory by status").register(meters);
        this.byExpiry = MultiGauge.builder("certwright.certificates.expiring").description("issued certificates by time left")
                .register(meters);
    }

    @Scheduled(initialDelay = 1_000, fixedDelay = 5_000)
    void refresh() {
        InventoryStatistics.Snapshot snapshot = statistics.snapshot(InventorySnapshotSchedule.WEEKS);
        if (snapshot == null) {
            return;
        }
        List<MultiGauge.Row<?>> statusRows = new ArrayList<>();
        for (Map.Entry<CertificateStatus, Long> entry : snapshot.statuses().entrySet()) {
            statusRows.add(MultiGauge.Row.of(Tags.of("status", entry.getKey().name()), entry.getValue()));
        }
        byStatus.register(statusRows, true);
        InventoryStatistics.Overview overview = snapshot.overview();
        byExpiry.register(List.of(row("expired", snapshot.expired()), row("7d", overview.within7()),
                row("30d", overview.within30() - overview.within7()), row("90d", overview.within90() - overview.within30()),
                row("later", snapshot.later())), true);
    }

    private static MultiGauge.Row<?> row(String within, long count) {
        return MultiGauge.Row.of(Tags.of("within", within), count);
    }
}
