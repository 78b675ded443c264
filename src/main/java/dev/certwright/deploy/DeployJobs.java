package dev.certwright.deploy;

import java.time.Duration;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
class DeploymentQueueJob implements Job {

    private final DeploymentService deployments;
    private final JobBudgets budgets;

    DeploymentQueueJob(DeploymentService deployments, JobBudgets budgets) {
        this.deployments = deployments;
        this.budgets = budgets;
    }

    @Override
    public void execute(JobExecutionContext context) {
        deployments.runDue(budgets.start(Duration.ofSeconds(50)));
    }
}

/** Probes targets for at most 50 seconds per firing. */
@DisallowConcurrentExecution
class DriftJob implements Job {

    private final DriftProbe drift;
    private final JobBudgets budgets;

    DriftJob(DriftProbe drift, JobBudgets budgets) {
        this.drift = drift;
        this.budgets = budgets;
    }

    @Override
    public void execute(JobExecutionContext context) {
        drift.run(budgets.start(Duration.ofSeconds(50)));
    }
}
