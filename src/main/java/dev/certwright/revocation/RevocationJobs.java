package dev.certwright.revocation;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.BudgetedJob;
import dev.certwright.platform.JobBudgets;
import dev.certwright.platform.QuartzSchedules;

/**
 * The revocation module's Quartz jobs. With the clustered JDBC job store each firing runs on one node; the jobs
 * disallow concurrent execution, so a long run is never overlapped by the next.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RevocationProperties.Crl.class, RevocationProperties.Ocsp.class})
class RevocationJobs {

    static final String GROUP = "revocation";

    @Bean
    JobDetail crlPublishJob() {
        return JobBuilder.newJob(CrlPublishJob.class).withIdentity("crl-publish", GROUP).withDescription("Publishes full and delta CRLs when due")
                .storeDurably().build();
    }

    @Bean
    Trigger crlPublishTrigger(RevocationProperties.Crl crl) {
        return QuartzSchedules.every(crlPublishJob(), "crl-publish", crl.checkInterval());
    }

    @Bean
    JobDetail ocspPresignJob() {
        return JobBuilder.newJob(OcspPresignJob.class).withIdentity("ocsp-presign", GROUP)
                .withDescription("Renews OCSP responders and pre-signs OCSP responses").storeDurably().build();
    }

    @Bean
    Trigger ocspPresignTrigger(RevocationProperties.Ocsp ocsp) {
        return QuartzSchedules.every(ocspPresignJob(), "ocsp-presign", ocsp.presignInterval());
    }

}

/**
 * Runs {@link CrlPublisher#publishDue()}; fired once with {@value #REPUBLISH} in its data, {@link CrlPublisher#republishAll()}
 * (after a restore, {@link CrlAfterRestore}). Either way one node at a time, never beside another run.
 */
@DisallowConcurrentExecution
class CrlPublishJob implements Job {

    static final String REPUBLISH = "republish";

    private final CrlPublisher publisher;

    CrlPublishJob(CrlPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void execute(JobExecutionContext context) {
        if (context.getMergedJobDataMap().containsKey(REPUBLISH)) {
            publisher.republishAll();
        } else {
            publisher.publishDue();
        }
    }
}

/** Runs {@link OcspPresigner#run}, for at most 50 seconds per firing, less when the node stops. */
@DisallowConcurrentExecution
class OcspPresignJob extends BudgetedJob {

    private final OcspPresigner presigner;

    OcspPresignJob(OcspPresigner presigner, JobBudgets budgets) {
        super(budgets);
        this.presigner = presigner;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        presigner.run(budget);
    }
}
