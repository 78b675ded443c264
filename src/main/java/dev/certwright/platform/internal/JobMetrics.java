package dev.certwright.platform.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.quartz.listeners.JobListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.quartz.autoconfigure.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.certwright.platform.Timestamps;

/**
 * After every Quartz job run: {@code certwright.job.duration} (how long it ran on this node, by job and outcome), and
 * the job's last run in {@code job_run} (when, where, how long, how it ended), which the dashboard's jobs page shows.
 */
@Configuration(proxyBeanMethods = false)
class JobMetrics {

    private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);

    @Bean
    SchedulerFactoryBeanCustomizer jobDurationListener(MeterRegistry meters, JdbcClient jdbc, Clock clock) {
        return factory -> factory.setGlobalJobListeners(new JobListenerSupport() {
            @Override
            public String getName() {
                return "certwright-job-metrics";
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException failure) {
                String job = context.getJobDetail().getKey().getName();
                Timer.builder("certwright.job.duration").description("Quartz job run time on this node")
                        .tag("job", job).tag("outcome", failure == null ? "success" : "failure")
                        .register(meters).record(context.getJobRunTime(), TimeUnit.MILLISECONDS);
                record(jdbc, clock, context, failure);
            }
        });
    }

    private static void record(JdbcClient jdbc, Clock clock, JobExecutionContext context, JobExecutionException failure) {
        String group = context.getJobDetail().getKey().getGroup();
        String name = context.getJobDetail().getKey().getName();
        String node;
        try {
            node = context.getScheduler().getSchedulerInstanceId();
        } catch (SchedulerException e) {
            node = "?";
        }
        Instant started = context.getFireTime() == null ? clock.instant() : context.getFireTime().toInstant();
        String error = failure == null ? null : String.valueOf(failure.getMessage());
        if (error != null && error.length() > 1000) {
            error = error.substring(0, 1000);
        }
        try {
            int updated = jdbc.sql("UPDATE job_run SET node = :node, started_at = :started, duration_ms = :ms, outcome = :outcome, error = :error "
                            + "WHERE job_group = :group AND job_name = :name")
                    .param("node", node).param("started", Timestamps.of(started)).param("ms", context.getJobRunTime())
                    .param("outcome", failure == null ? "success" : "failure").param("error", error).param("group", group).param("name", name)
                    .update();
            if (updated == 0) {
                jdbc.sql("INSERT INTO job_run (job_group, job_name, node, started_at, duration_ms, outcome, error) VALUES (:group, :name, :node, "
                                + ":started, :ms, :outcome, :error)")
                        .param("node", node).param("started", Timestamps.of(started)).param("ms", context.getJobRunTime())
                        .param("outcome", failure == null ? "success" : "failure").param("error", error).param("group", group).param("name", name)
                        .update();
            }
        } catch (DuplicateKeyException e) {
            // another node recorded its first run at the same moment; the next run updates
        } catch (DataAccessException e) {
            log.debug("could not record the run of job {}: {}", name, e.getMessage());
        }
    }
}
