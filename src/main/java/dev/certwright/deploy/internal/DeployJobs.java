package dev.certwright.deploy.internal;

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

/** The deployment queue (every {@code certwright.deploy.queue-interval}) and the drift probe ({@code drift-interval}). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DeployProperties.class)
class DeployJobs {

    static final String GROUP = "deploy";

    @Bean
    JobDetail deploymentQueueJob() {
        return JobBuilder.newJob(DeploymentQueueJob.class).withIdentity("deployments", GROUP)
                .withDescription("Runs due deployments, retries, and those a stopped node left").storeDurably().build();
    }

    @Bean
    Trigger deploymentQueueTrigger(DeployProperties properties) {
        return QuartzSchedules.every(deploymentQueueJob(), "deployments", properties.queueInterval());
    }

    @Bean
    JobDetail driftJob() {
        return JobBuilder.newJob(DriftJob.class).withIdentity("drift", GROUP)
                .withDescription("Probes every deployment target for what it serves").storeDurably().build();
    }

    @Bean
    Trigger driftTrigger(DeployProperties properties) {
        return QuartzSchedules.every(driftJob(), "drift", properties.driftInterval());
    }
}

/** Runs what is due for at most 50 seconds' worth of claims, and waits for the attempts it started. */
@DisallowConcurrentExecution
class DeploymentQueueJob extends BudgetedJob {

    private final DeploymentRunner deployments;

    DeploymentQueueJob(DeploymentRunner deployments, JobBudgets budgets) {
        super(budgets);
        this.deployments = deployments;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        deployments.runDue(budget);
    }
}

/** Probes targets for at most 50 seconds per firing. */
@DisallowConcurrentExecution
class DriftJob extends BudgetedJob {

    private final DriftProbe drift;

    DriftJob(DriftProbe drift, JobBudgets budgets) {
        super(budgets);
        this.drift = drift;
    }

    @Override
    protected void run(JobBudgets.Budget budget) {
        drift.run(budget);
    }
}
