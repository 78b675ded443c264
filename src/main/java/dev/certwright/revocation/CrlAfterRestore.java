package dev.certwright.revocation;

import java.util.Map;

import org.quartz.JobDataMap;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.certwright.backup.RestoreAcknowledgement;

/**
 * After a start that recorded a restore from backup (decision 69), every issuer's CRLs are published again at once,
 * through the CRL job (so never beside another run of it): the database's CRLs are the backup's, and relying parties
 * may already hold newer ones. The new numbers are above every number published before, by the time floor of
 * {@link CrlStore#nextNumber} (RFC 5280 §5.2.3).
 */
@Component
class CrlAfterRestore {

    private static final Logger log = LoggerFactory.getLogger(CrlAfterRestore.class);

    private final RestoreAcknowledgement restores;
    private final Scheduler scheduler;

    CrlAfterRestore(RestoreAcknowledgement restores, Scheduler scheduler) {
        this.restores = restores;
        this.scheduler = scheduler;
    }

    @EventListener(ApplicationReadyEvent.class)
    void republishAfterRestore() {
        restores.restoredAtThisStart().ifPresent(takenAt -> {
            try {
                scheduler.triggerJob(JobKey.jobKey("crl-publish", RevocationJobs.GROUP), new JobDataMap(Map.of(CrlPublishJob.REPUBLISH, "restore")));
                log.info("restored from a backup taken at {}: every issuer's CRLs are being published again", takenAt);
            } catch (SchedulerException e) {
                log.warn("could not ask for the CRLs to be published again after the restore; they are published when next due: {}", e.getMessage());
            }
        });
    }
}
