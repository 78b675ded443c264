package dev.certwright.issuance.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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
 * Retention of expired records: a clustered Quartz job that, {@code certwright.retention.keep-expired} after a
 * certificate expired, drops its private key, DER and chain ({@link CertificateInventory#purge}). The inventory row stays
 * as a tombstone (its serial reserved, its summary searchable) and each purge is written to the audit log in the same
 * transaction, so the history outlives the payload. A managed slot's current instance is never purged.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RecordRetention.RetentionProperties.class)
class RecordRetention {

    private static final Logger log = LoggerFactory.getLogger(RecordRetention.class);
    private static final int BATCH = 200;

    /**
     * {@code certwright.retention.*}.
     *
     * @param enabled whether the job purges at all
     * @param keepExpired how long after its notAfter a certificate keeps its payload
     * @param interval how often the job runs
     */
    @ConfigurationProperties("certwright.retention")
    record RetentionProperties(@DefaultValue("true") boolean enabled, @DefaultValue("P365D") Duration keepExpired,
            @DefaultValue("PT1H") Duration interval) {

        RetentionProperties {
            if (keepExpired.isNegative() || interval.isNegative() || interval.isZero()) {
                throw new StartupException("certwright.retention.keep-expired must not be negative and certwright.retention.interval must be positive");
            }
        }
    }

    @Bean
    JobDetail retentionJob() {
        return JobBuilder.newJob(RetentionJob.class).withIdentity("retention", "issuance")
                .withDescription("Purges the payload of certificates expired longer than certwright.retention.keep-expired").storeDurably().build();
    }

    @Bean
    Trigger retentionTrigger(RetentionProperties properties) {
        return QuartzSchedules.every(retentionJob(), "retention", properties.interval());
    }

    @Bean
    Purger retentionPurger(CertificateInventory inventory, AuditLog audit, TransactionTemplate transactions, Clock clock,
            RetentionProperties properties) {
        return new Purger(inventory, audit, transactions, clock, properties);
    }

    /** One run's work: purge, a batch at a time, until nothing is left or the budget is spent. */
    static final class Purger {

        private final CertificateInventory inventory;
        private final AuditLog audit;
        private final TransactionTemplate transactions;
        private final Clock clock;
        private final RetentionProperties properties;

        Purger(CertificateInventory inventory, AuditLog audit, TransactionTemplate transactions, Clock clock, RetentionProperties properties) {
            this.inventory = inventory;
            this.audit = audit;
            this.transactions = transactions;
            this.clock = clock;
            this.properties = properties;
        }

        int run(JobBudgets.Budget budget) {
            if (!properties.enabled()) {
                return 0;
            }
            Instant cutoff = clock.instant().minus(properties.keepExpired());
            int purged = 0;
            while (budget.remains()) {
                var batch = inventory.expiredBefore(cutoff, BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                purged += transactions.execute(tx -> {
                    int n = 0;
                    for (CertificateInventory.Expired expired : batch) {
                        // Two nodes never run this job at once (clustered Quartz); purge() is conditional all the same.
                        if (inventory.purge(expired.id())) {
                            audit.append("system", "certificate.purged", "certificate", expired.serial(), "issuer=" + expired.issuerName()
                                    + " owner=" + expired.owner() + " notAfter=" + expired.notAfter() + " kept=" + properties.keepExpired());
                            n++;
                        }
                    }
                    return n;
                });
            }
            if (purged > 0) {
                log.info("retention: purged the key, DER and chain of {} certificates expired before {}", purged, cutoff);
            }
            return purged;
        }
    }
}

/** Runs the {@link RecordRetention.Purger} for at most 50 seconds per firing, less when the node stops. */
@DisallowConcurrentExecution
class RetentionJob extends BudgetedJob {

    private final RecordRetention.Purger purger;

    RetentionJob(RecordRetention.Purger purger, JobBudgets budgets) {
        super(budgets);
        this.purger = purger;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        purger.run(budget);
    }
}
