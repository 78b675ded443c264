package dev.certwright.deploy.internal;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.issuance.ManagedBundle;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.Backoff;
import dev.certwright.platform.JobBudgets;
import dev.certwright.x509.Pem;
import io.micrometer.core.instrument.MeterRegistry;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.Deployment;
import dev.certwright.deploy.DeploymentFinished;
import dev.certwright.deploy.DeploymentStatus;

/**
 * Runs deployments: the queue job runs whatever is due on any node, including what a stopped node left behind once its
 * lease ends, and a new instance is run as soon as its issuing transaction commits. Each attempt is claimed by one
 * conditional UPDATE, runs on a virtual thread within the concurrency bound, and a failure is retried with backoff up
 * to {@code max-attempts}, after which the owner is told ({@link DeploymentFinished}). With {@code revokeSuperseded},
 * the predecessor is revoked once every target serves the successor.
 */
@Component
public class DeploymentRunner {

    private static final Logger log = LoggerFactory.getLogger(DeploymentRunner.class);
    static final String SYSTEM = "system:deploy";

    private final Deployments deployments;
    private final DeployTargets targets;
    private final SshIdentity identity;
    private final SshDeployer deployer;
    private final ManagedCertificates slots;
    private final CertificateInventory inventory;
    private final ManagedCertificateService managed;
    private final CertificateRevocation revocation;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final DeployProperties properties;
    private final MeterRegistry meters;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slotsFree;
    private final AtomicBoolean draining = new AtomicBoolean();

    DeploymentRunner(Deployments deployments, DeployTargets targets, SshIdentity identity, SshDeployer deployer, ManagedCertificates slots,
            CertificateInventory inventory, ManagedCertificateService managed, CertificateRevocation revocation, AuditLog audit,
            TransactionTemplate transactions, ApplicationEventPublisher events, Clock clock, DeployProperties properties, MeterRegistry meters) {
        this.deployments = deployments;
        this.targets = targets;
        this.identity = identity;
        this.deployer = deployer;
        this.slots = slots;
        this.inventory = inventory;
        this.managed = managed;
        this.revocation = revocation;
        this.audit = audit;
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
        this.properties = properties;
        this.meters = meters;
        this.slotsFree = new Semaphore(properties.concurrency());
    }

    /** Queues a redeployment of a drifted target (called by the drift probe). */
    void redeployDrifted(ManagedCertificate slot, CertificateRecord current, String target) {
        transactions.executeWithoutResult(tx -> {
            deployments.enqueue(slot.name(), current.id(), current.serial().hex(), target, "drift", 1, clock.instant(), SYSTEM);
            audit.append(SYSTEM, "deploy-target.drift", "deploy-target", target, "managed=" + slot.name() + " expected=" + current.serial().hex());
        });
        runSoon();
    }

    /** Runs the queue once the current transaction commits (at once without one). */
    public void runAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    runSoon();
                }
            });
        } else {
            runSoon();
        }
    }

    /** Works off the queue in the background on this node. */
    public void runSoon() {
        executor.execute(() -> {
            try {
                runDue(null);
            } catch (RuntimeException e) {
                log.warn("deployment queue run failed; the queue job will retry", e);
            }
        });
    }

    /**
     * Claims and starts what is due, bounded by the concurrency limit; waits for the attempts it started when called
     * by the job (so the job's run covers them), returns at once otherwise. Returns how many it started.
     */
    int runDue(JobBudgets.Budget budget) {
        if (!draining.compareAndSet(false, true)) {
            return 0; // another run on this node is at it
        }
        List<java.util.concurrent.Future<?>> started = new ArrayList<>();
        try {
            while (budget == null || budget.remains()) {
                List<Deployment> due = deployments.due(clock.instant(), 50);
                int claimed = 0;
                for (Deployment d : due) {
                    // A free slot first, then the claim: what waits for a slot stays in the queue for any node to take.
                    slotsFree.acquireUninterruptibly();
                    if (!deployments.claim(d, clock.instant().plus(properties.lease()))) {
                        slotsFree.release();
                        continue;
                    }
                    claimed++;
                    started.add(executor.submit(() -> {
                        try {
                            run(d);
                        } finally {
                            slotsFree.release();
                        }
                    }));
                }
                if (claimed == 0) {
                    break;
                }
            }
        } finally {
            draining.set(false);
        }
        if (budget != null) {
            for (var future : started) {
                try {
                    future.get();
                } catch (Exception e) {
                    log.warn("a deployment ended with an error", e);
                }
            }
        }
        return started.size();
    }

    /** One claimed attempt, from start to recorded outcome. */
    private void run(Deployment d) {
        SshDeployer.Outcome outcome;
        try {
            outcome = attempt(d);
        } catch (RuntimeException e) {
            log.error("deployment {} of {} to {} failed unexpectedly", d.id(), d.managedName(), d.targetName(), e);
            outcome = new SshDeployer.Outcome(DeploymentStatus.FAILED, "internal error: " + SshDeployer.describe(e), Map.of());
        }
        finish(d, outcome);
    }

    private SshDeployer.Outcome attempt(Deployment d) {
        var target = targets.find(d.targetName()).orElse(null);
        if (target == null) {
            return SshDeployer.Outcome.moot("deployment target '" + d.targetName() + "' no longer exists");
        }
        ManagedCertificate slot = slots.find(d.managedName()).orElse(null);
        if (slot == null || slot.currentCertificateId() == null || slot.currentCertificateId() != d.certificateId()) {
            return SshDeployer.Outcome.moot("superseded: serial " + d.serial() + " is no longer the current instance");
        }
        // On-host key mode: no key here; the one the host made waits beside the key file until this deployment installs it.
        ManagedBundle bundle = slot.keyOnHost() ? managed.currentInstance(d.managedName()) : managed.currentBundle(d.managedName());
        CertificateRecord record = bundle.record();
        KeyPair key = identity.keyPair();
        log.info("deploying {} serial {} to {} ({}@{}:{}), attempt {}", d.managedName(), d.serial(), target.name(), target.user(),
                target.host(), target.port(), d.attempt());
        return deployer.deploy(target, key, files(target, bundle), record.fingerprintSha256(),
                slot.keyOnHost() && target.paths().keyPath() != null ? target.paths().keyPath() + OnHostKeyMaker.STAGED : null);
    }

    /** The bytes of each file the target takes, by role. */
    static Map<String, byte[]> files(DeployTarget target, ManagedBundle bundle) {
        String leaf = Pem.encode(bundle.certificate());
        String chain = Pem.encodeChain(bundle.chain());
        String key = bundle.privateKey() == null ? null : Pem.encode(Pem.PRIVATE_KEY, bundle.privateKey().getEncoded());
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String role : target.paths().byRole().keySet()) {
            String content = switch (role) {
                case "key" -> key;
                case "combined" -> key == null ? null : leaf + chain + key; // HAProxy's crt: leaf, chain, key
                case "certificate" -> leaf;
                case "chain" -> chain;
                default -> leaf + chain;
            };
            if (content != null) {
                out.put(role, content.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out;
    }

    private void finish(Deployment d, SshDeployer.Outcome outcome) {
        boolean failed = outcome.status() != DeploymentStatus.VERIFIED;
        boolean retry = !outcome.conclusive() && d.attempt() < properties.maxAttempts();
        Instant retryAt = retry ? clock.instant().plus(Backoff.after(d.attempt(), properties.retryBackoff(), Duration.ofHours(1))) : null;
        transactions.executeWithoutResult(tx -> {
            if (!deployments.finish(d.id(), outcome.status(), outcome.reason(), outcome.stepsText())) {
                return; // no longer ours (superseded meanwhile)
            }
            audit.append(SYSTEM, "deployment." + outcome.status().name().toLowerCase().replace('_', '-'), "managed-certificate", d.managedName(),
                    "target=" + d.targetName() + " serial=" + d.serial() + " attempt=" + d.attempt() + " steps=" + outcome.stepsText()
                            + (outcome.reason() == null ? "" : " reason=" + outcome.reason()));
            if (retry) {
                deployments.enqueue(d.managedName(), d.certificateId(), d.serial(), d.targetName(), "retry", d.attempt() + 1, retryAt, SYSTEM);
            }
            events.publishEvent(new DeploymentFinished(d.id(), d.managedName(), d.certificateId(), d.serial(), d.targetName(), outcome.status(),
                    outcome.reason(), d.attempt(), !retry));
        });
        meters.counter("certwright.deployments", "outcome", outcome.status().name().toLowerCase()).increment();
        if (failed) {
            log.warn("deployment of {} serial {} to {} ended {}: {}{}", d.managedName(), d.serial(), d.targetName(), outcome.status(),
                    outcome.reason(), retry ? " (retry at " + retryAt + ")" : "");
        } else {
            log.info("deployed {} serial {} to {}: verified ({})", d.managedName(), d.serial(), d.targetName(), outcome.stepsText());
            revokeSupersededWhenEverywhere(d);
        }
    }

    /** With {@code revokeSuperseded}, the predecessor is revoked once every target serves its successor. */
    private void revokeSupersededWhenEverywhere(Deployment d) {
        ManagedCertificate slot = slots.find(d.managedName()).orElse(null);
        if (slot == null || !slot.revokeSuperseded() || !deployments.verifiedEverywhere(d.certificateId(), slot.targets())) {
            return;
        }
        inventory.find(d.certificateId()).map(CertificateRecord::predecessorId).ifPresent(predecessor -> revocation.revokeSuperseded(predecessor, SYSTEM));
    }
}
