package dev.certwright.audit.internal;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;

import dev.certwright.platform.QuartzSchedules;
import dev.certwright.audit.AuditCheckpoints;
import dev.certwright.audit.internal.AuditProperties;

/**
 * Publishes audit checkpoints: by a clustered Quartz job every {@code certwright.audit.checkpoint-interval} (one node
 * per firing), once when the node is ready and once when it stops, so that the last heads before a shutdown (when the
 * database is most easily rewritten) are on record.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditProperties.class)
class AuditJobs {

    static final String GROUP = "audit";
    private static final Logger log = LoggerFactory.getLogger(AuditJobs.class);

    private final AuditCheckpoints checkpoints;

    AuditJobs(AuditCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Bean
    JobDetail auditCheckpointJob() {
        return JobBuilder.newJob(AuditCheckpointJob.class).withIdentity("audit-checkpoint", GROUP)
                .withDescription("Publishes a signed checkpoint of the audit chain heads").storeDurably().build();
    }

    @Bean
    Trigger auditCheckpointTrigger(AuditProperties properties) {
        return QuartzSchedules.every(auditCheckpointJob(), "audit-checkpoint", properties.checkpointInterval());
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        publishQuietly("startup");
    }

    @EventListener(ContextClosedEvent.class)
    void onClose() {
        publishQuietly("shutdown");
    }

    private void publishQuietly(String when) {
        try {
            checkpoints.publish();
        } catch (RuntimeException e) {
            log.warn("could not publish an audit checkpoint at {}: {}", when, e.getMessage());
        }
    }
}

/** Runs {@link AuditCheckpoints#publish()}. */
@DisallowConcurrentExecution
class AuditCheckpointJob implements Job {

    private final AuditCheckpoints checkpoints;

    AuditCheckpointJob(AuditCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Override
    public void execute(JobExecutionContext context) {
        checkpoints.publish();
    }
}
