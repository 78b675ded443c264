package dev.certwright.discovery;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.certwright.audit.AuditLog;

/**
 * The discovery module's API: scans (create, change, delete, read), runs asked for (queued, then taken by the run job
 * on whichever node fires it) and their progress. Every change is audited. A scan's targets are checked against the
 * allowed networks when it is saved and again, after DNS resolution, when it runs.
 */
@Component
public class DiscoveryScans {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryScans.class);

    private final ScanStore store;
    private final DiscoveryProperties properties;
    private final AuditLog audit;
    private final Scheduler scheduler;
    private final Clock clock;

    DiscoveryScans(ScanStore store, DiscoveryProperties properties, AuditLog audit, Scheduler scheduler, Clock clock) {
        this.store = store;
        this.properties = properties;
        this.audit = audit;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Saves a new scan; refused when its spec is invalid, it names a target outside the allowed networks, or the name is taken. */
    @Transactional
    public Scan create(ScanSpec spec, String actor) {
        ScanSpec valid = checked(spec);
        long id = store.insert(valid, actor, clock.instant());
        audit.append(actor, "discovery.scan-created", "discovery-scan", valid.name(), describe(valid));
        return store.find(id).orElseThrow();
    }

    /** Replaces a scan's spec (its name stays); its schedule starts again from now. */
    @Transactional
    public Scan update(ScanSpec spec, String actor) {
        ScanSpec valid = checked(spec);
        if (!store.update(valid, clock.instant())) {
            throw notFound(valid.name());
        }
        audit.append(actor, "discovery.scan-updated", "discovery-scan", valid.name(), describe(valid));
        return store.find(valid.name()).orElseThrow();
    }

    /** Deletes a scan and its runs; the certificates and endpoints it found stay. */
    @Transactional
    public void delete(String name, String actor) {
        if (!store.delete(name)) {
            throw notFound(name);
        }
        audit.append(actor, "discovery.scan-deleted", "discovery-scan", name, "");
    }

    public Scan get(String name) {
        return store.find(name).orElseThrow(() -> notFound(name));
    }

    public List<Scan> list() {
        return store.list();
    }

    /** Queues a run of the scan and fires the run job once the queueing commits; answers the queued run. */
    @Transactional
    public ScanRun requestRun(String name, String actor) {
        Scan scan = get(name);
        long runId = store.queueRun(scan.id(), actor, clock.instant());
        audit.append(actor, "discovery.run-requested", "discovery-scan", name, "run=" + runId);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                fireRunJob();
            }
        });
        return store.run(runId).orElseThrow();
    }

    /** A run of this scan. */
    public ScanRun run(String name, long runId) {
        ScanRun run = store.run(runId).orElseThrow(() -> new DiscoveryException(DiscoveryException.Type.NOT_FOUND, "no run " + runId));
        if (!run.scan().equals(name)) {
            throw new DiscoveryException(DiscoveryException.Type.NOT_FOUND, "scan '" + name + "' has no run " + runId);
        }
        return run;
    }

    /** The scan's latest runs, newest first. */
    public List<ScanRun> runs(String name, int limit) {
        get(name);
        return store.runs(name, limit);
    }

    /** The latest runs of every scan, newest first: the dashboard's Discovery page. */
    public List<ScanRun> recentRuns(int limit) {
        return store.recentRuns(limit);
    }

    private ScanSpec checked(ScanSpec spec) {
        ScanSpec valid = spec.validated(properties.maxConcurrency(), properties.maxRatePerSecond());
        // Refused now rather than at the first run; checked again then, since names may resolve elsewhere by then.
        new ScanTargets(properties.allowedNetworks(), properties.maxAddresses()).resolve(valid.targets());
        return valid;
    }

    private void fireRunJob() {
        try {
            scheduler.triggerJob(JobKey.jobKey(DiscoveryJobs.RUN_JOB, DiscoveryJobs.GROUP));
        } catch (SchedulerException e) {
            log.warn("the discovery run job could not be fired now; its next firing takes the run: {}", e.getMessage());
        }
    }

    private static String describe(ScanSpec s) {
        return "targets=" + s.targets().size() + " ports=" + s.ports().size() + " serverNames=" + s.serverNames().size()
                + " schedule=" + s.schedule() + " concurrency=" + s.concurrency() + " ratePerSecond=" + s.ratePerSecond();
    }

    private static DiscoveryException notFound(String name) {
        return new DiscoveryException(DiscoveryException.Type.NOT_FOUND, "no scan named '" + name + "'");
    }

    /** Queues a run of every scheduled scan that is due; the run job calls it at each firing. */
    @Transactional
    void queueDue(Instant now) {
        for (Scan scan : store.claimDue(now)) {
            long runId = store.queueRun(scan.id(), "schedule", now);
            audit.append("schedule", "discovery.run-requested", "discovery-scan", scan.spec().name(), "run=" + runId);
        }
    }
}
