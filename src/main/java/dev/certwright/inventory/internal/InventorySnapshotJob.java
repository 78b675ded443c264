package dev.certwright.inventory.internal;

import java.time.Duration;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.QuartzSchedules;
import dev.certwright.inventory.InventoryStatistics;

/**
 * Counts the overview's figures and the inventory gauges once per {@code certwright.inventory.snapshot-interval}
 * (PT1M) on one node of the cluster, so that a page view of a large inventory, and each node's gauges, read one row
 * instead of counting millions.
 */
@Configuration(proxyBeanMethods = false)
class InventorySnapshotSchedule {

    /** Weeks in the overview's chart. */
    static final int WEEKS = 13;

    @Bean
    JobDetail inventorySnapshotJob() {
        return JobBuilder.newJob(InventorySnapshotJob.class).withIdentity("inventory-snapshot", "inventory")
                .withDescription("Counts what expires within 7, 30 and 90 days and per week, and certificates by status, for the overview and the gauges").storeDurably().build();
    }

    @Bean
    Trigger inventorySnapshotTrigger(@Value("${certwright.inventory.snapshot-interval:PT1M}") Duration interval) {
        // Until the first count the overview and the gauges read the snapshot the cluster stored last.
        return QuartzSchedules.afterStartup(inventorySnapshotJob(), "inventory-snapshot", interval);
    }
}

/** Runs {@link InventoryStatistics#refreshSnapshot}. */
@DisallowConcurrentExecution
class InventorySnapshotJob implements Job {

    private final InventoryStatistics statistics;

    InventorySnapshotJob(InventoryStatistics statistics) {
        this.statistics = statistics;
    }

    @Override
    public void execute(JobExecutionContext context) {
        statistics.refreshSnapshot(InventorySnapshotSchedule.WEEKS);
    }
}
