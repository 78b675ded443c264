package dev.certwright.issuance.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.platform.BudgetedJob;
import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.QuartzSchedules;
import dev.certwright.platform.StartupException;

/**
 * Reconciles PENDING rows: a clustered Quartz job that marks FAILED every serial reserved more than
 * {@code certwright.issuance.pending-timeout} ago whose signing never completed (the node was killed between reserve
 * and record, or lost the write). Before, this ran only when a node started, so a cluster whose nodes kept running
 * kept such rows PENDING for ever. Each row is failed and audited ({@code certificate.issue-abandoned}) in one
 * transaction; the serial stays reserved, and OCSP answers it as never issued (RFC 6960 §2.2).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PendingReconciliation.PendingProperties.class)
class PendingReconciliation {

    private static final Logger log = LoggerFactory.getLogger(PendingReconciliation.class);
    private static final int BATCH = 200;

    /**
     * {@code certwright.issuance.*}.
     *
     * @param pendingTimeout how long a PENDING row may wait for its signature: issuance takes milliseconds, so anything
     *        older was abandoned
     * @param pendingSweepInterval how often the reconciliation job runs; a row is PENDING for at most the sum of the two
     */
    @ConfigurationProperties("certwright.issuance")
    record PendingProperties(@DefaultValue("PT5M") Duration pendingTimeout, @DefaultValue("PT1M") Duration pendingSweepInterval) {

        PendingProperties {
            if (pendingTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new StartupException("certwright.issuance.pending-timeout must be at least 1 second (PT1S), not " + pendingTimeout);
            }
            if (pendingSweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new StartupException("certwright.issuance.pending-sweep-interval must be at least 1 second (PT1S), not "
                        + pendingSweepInterval);
            }
        }
    }

    @Bean
    JobDetail pendingSweepJob() {
        return JobBuilder.newJob(PendingSweepJob.class).withIdentity("pending-sweep", "issuance")
                .withDescription("Marks serials PENDING longer than certwright.issuance.pending-timeout FAILED").storeDurably().build();
    }

    @Bean
    Trigger pendingSweepTrigger(PendingProperties properties) {
        return QuartzSchedules.every(pendingSweepJob(), "pending-sweep", properties.pendingSweepInterval());
    }

    @Bean
    Sweeper pendingSweeper(CertificateInventory inventory, AuditLog audit, TransactionTemplate transactions, Clock clock,
            PendingProperties properties) {
        return new Sweeper(inventory, audit, transactions, clock, properties);
    }

    /** One sweep: fail stale PENDING rows, a batch per transaction, until none is left or the budget is spent. */
    static final class Sweeper {

        private final CertificateInventory inventory;
        private final AuditLog audit;
        private final TransactionTemplate transactions;
        private final Clock clock;
        private final PendingProperties properties;

        Sweeper(CertificateInventory inventory, AuditLog audit, TransactionTemplate transactions, Clock clock, PendingProperties properties) {
            this.inventory = inventory;
            this.audit = audit;
            this.transactions = transactions;
            this.clock = clock;
            this.properties = properties;
        }

        Duration timeout() {
            return properties.pendingTimeout();
        }

        /** Runs until nothing stale is left or {@code budget} is spent; {@code when} names the occasion in the audit log. */
        int run(JobBudgets.Budget budget, String when) {
            int total = 0;
            while (budget.remains()) {
                List<String> failed = transactions.execute(tx -> {
                    List<String> serials = inventory.failStalePending(clock.instant().minus(properties.pendingTimeout()), BATCH);
                    serials.forEach(serial -> audit.append("system", "certificate.issue-abandoned", "certificate", serial,
                            "PENDING for more than " + properties.pendingTimeout() + "; marked FAILED " + when));
                    return serials;
                });
                total += failed.size();
                if (!failed.isEmpty()) {
                    log.warn("marked {} abandoned PENDING certificate rows FAILED {}: serials {}", failed.size(), when, failed);
                }
                if (failed.size() < BATCH) {
                    break;
                }
            }
            return total;
        }
    }
}

/** Runs the {@link PendingReconciliation.Sweeper} for at most 50 seconds per firing, less when the node stops. */
@DisallowConcurrentExecution
class PendingSweepJob extends BudgetedJob {

    private final PendingReconciliation.Sweeper sweeper;

    PendingSweepJob(PendingReconciliation.Sweeper sweeper, JobBudgets budgets) {
        super(budgets);
        this.sweeper = sweeper;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        sweeper.run(budget, "by the reconciliation job");
    }
}
