package dev.certwright.discovery;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Optional;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.platform.QuartzSchedules;

/** The run job: every {@code certwright.discovery.run-interval}, on one node of the cluster. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DiscoveryProperties.class)
class DiscoveryJobs {

    static final String GROUP = "discovery";
    static final String RUN_JOB = "discovery-runs";

    @Bean
    JobDetail discoveryRunJob() {
        return JobBuilder.newJob(DiscoveryRunJob.class).withIdentity(RUN_JOB, GROUP)
                .withDescription("Queues due scheduled scans and runs queued discovery runs").storeDurably().build();
    }

    @Bean
    Trigger discoveryRunTrigger(DiscoveryProperties properties) {
        return QuartzSchedules.every(discoveryRunJob(), RUN_JOB, properties.runInterval());
    }
}

/** Queues the due scheduled scans, then runs queued runs, oldest first, until none is left. */
@DisallowConcurrentExecution
class DiscoveryRunJob implements Job {

    private static final String NODE = ManagementFactory.getRuntimeMXBean().getName();

    private final DiscoveryScans scans;
    private final ScanStore store;
    private final ScanRunner runner;
    private final Clock clock;
    private final DiscoveryProperties properties;

    DiscoveryRunJob(DiscoveryScans scans, ScanStore store, ScanRunner runner, Clock clock, DiscoveryProperties properties) {
        this.properties = properties;
        this.scans = scans;
        this.store = store;
        this.runner = runner;
        this.clock = clock;
    }

    @Override
    public void execute(JobExecutionContext context) {
        // A node killed while running a run left it RUNNING: once its heartbeat is stale it is queued again (decision 75).
        java.time.Instant now = clock.instant();
        for (Long run : store.requeueStale(now.minus(properties.staleAfter()), now)) {
            org.slf4j.LoggerFactory.getLogger(DiscoveryRunJob.class).warn("discovery run {} was left running by a node that stopped; queued again", run);
        }
        scans.queueDue(clock.instant());
        for (Optional<Long> run = store.claimQueued(NODE, clock.instant()); run.isPresent(); run = store.claimQueued(NODE, clock.instant())) {
            try {
                runner.run(run.get());
            } catch (RuntimeException e) {
                // A fault of ours (the database went away): the run must not stay RUNNING.
                store.finish(run.get(), ScanRun.State.FAILED, "internal error: " + e.getClass().getSimpleName(), clock.instant());
                throw e;
            }
        }
    }
}
