package dev.certwright.renewal.internal;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.BudgetedJob;
import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.QuartzSchedules;
import dev.certwright.renewal.RenewalService;

/** The renewal scan, every {@code certwright.renewal.scan-interval}, on one node of the cluster at a time. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RenewalProperties.class)
class RenewalJobs {

    static final String GROUP = "renewal";

    @Bean
    JobDetail renewalScanJob() {
        return JobBuilder.newJob(RenewalScanJob.class).withIdentity("renewal-scan", GROUP)
                .withDescription("Renews managed certificates whose renewal is due").storeDurably().build();
    }

    @Bean
    Trigger renewalScanTrigger(RenewalProperties properties) {
        return QuartzSchedules.every(renewalScanJob(), "renewal-scan", properties.scanInterval());
    }
}

/** Runs {@link RenewalService#renewDue} for at most 50 seconds per firing, less when the node stops. */
@DisallowConcurrentExecution
class RenewalScanJob extends BudgetedJob {

    private final RenewalService renewals;

    RenewalScanJob(RenewalService renewals, JobBudgets budgets) {
        super(budgets);
        this.renewals = renewals;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        renewals.renewDue(budget);
    }
}
