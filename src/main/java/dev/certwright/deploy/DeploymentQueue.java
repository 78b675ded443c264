package dev.certwright.deploy;

import java.util.ArrayList;
import java.util.List;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.deploy.internal.DeployTargets;
import dev.certwright.deploy.internal.DeploymentRunner;
import dev.certwright.deploy.internal.Deployments;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.CertificateIssued;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedCertificateService;

/**
 * Queues deployments. A new instance of a managed certificate is queued for each of its targets in the transaction
 * that issued it (so it is deployed even if the node dies right after), and run as soon as that commits; a request or a
 * change of targets queues the current instance. The {@link DeploymentRunner} runs what is queued.
 */
@Service
public class DeploymentQueue {

    private final Deployments deployments;
    private final DeployTargets targets;
    private final ManagedCertificates slots;
    private final CertificateInventory inventory;
    private final ManagedCertificateService managed;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final java.time.Clock clock;
    private final DeploymentRunner runner;

    DeploymentQueue(Deployments deployments, DeployTargets targets, ManagedCertificates slots, CertificateInventory inventory,
            ManagedCertificateService managed, AuditLog audit, TransactionTemplate transactions, java.time.Clock clock, DeploymentRunner runner) {
        this.deployments = deployments;
        this.targets = targets;
        this.slots = slots;
        this.inventory = inventory;
        this.managed = managed;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.runner = runner;
    }

    /** A managed certificate has a new instance: queue it for each target, in the issuing transaction. */
    @EventListener
    void onIssued(CertificateIssued issued) {
        if (issued.managedName() == null) {
            return;
        }
        slots.find(issued.managedName()).filter(slot -> !slot.targets().isEmpty()).ifPresent(slot -> {
            for (String target : slot.targets()) {
                deployments.enqueue(slot.name(), issued.certificateId(), issued.serial(), target, "issued", 1, clock.instant(), issued.actor());
            }
            runner.runAfterCommit();
        });
    }

    /** Deploys a slot's current instance to each of its targets now ({@code POST .../deploy}); returns the queued attempts. */
    public List<Deployment> deployNow(String name, String actor) {
        ManagedCertificate slot = managed.get(name);
        if (slot.targets().isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "managed certificate '" + name + "' has no deployment targets");
        }
        if (slot.currentCertificateId() == null) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "managed certificate '" + name + "' has no certificate to deploy");
        }
        CertificateRecord current = inventory.find(slot.currentCertificateId()).orElseThrow();
        List<Deployment> queued = transactions.execute(tx -> {
            List<Deployment> out = new ArrayList<>();
            for (String target : slot.targets()) {
                long id = deployments.enqueue(name, current.id(), current.serial().hex(), target, "request", 1, clock.instant(), actor);
                out.add(deployments.find(id).orElseThrow());
            }
            audit.append(actor, "managed-certificate.deploy-requested", "managed-certificate", name, "serial=" + current.serial().hex()
                    + " targets=" + slot.targets());
            return out;
        });
        runner.runSoon();
        return queued;
    }

    /**
     * Replaces the targets a slot names (at most 32, all existing; exactly one for an on-host key slot), audited; a
     * target that was added gets the current instance at once. Returns the targets now named.
     */
    public List<String> changeTargets(String name, List<String> targetNames, String actor) {
        List<String> wanted = targetNames.stream().distinct().toList();
        if (wanted.size() > 32) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "a managed certificate has at most 32 targets");
        }
        List<String> unknown = targets.unknown(wanted);
        if (!unknown.isEmpty()) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "no deployment targets named " + unknown);
        }
        ManagedCertificate slot = slots.find(name).orElseThrow(() -> new DeployException(DeployException.Type.NOT_FOUND,
                "no managed certificate named '" + name + "'"));
        if (slot.keyOnHost() && wanted.size() != 1) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "an on-host key slot has exactly one target: the host that keeps its key");
        }
        transactions.executeWithoutResult(tx -> {
            slots.setTargets(name, wanted);
            audit.append(actor, "managed-certificate.targets-changed", "managed-certificate", name, "targets=" + wanted);
        });
        // An on-host key slot's new host first needs a renewal, which makes the key there.
        if (!slot.keyOnHost()) {
            deployToAdded(name, wanted.stream().filter(t -> !slot.targets().contains(t)).toList(), actor);
        }
        return wanted;
    }

    /** Deploys the slot's current instance to targets just added to it. */
    private void deployToAdded(String name, List<String> added, String actor) {
        ManagedCertificate slot = managed.get(name);
        if (added.isEmpty() || slot.currentCertificateId() == null) {
            return;
        }
        CertificateRecord current = inventory.find(slot.currentCertificateId()).orElseThrow();
        transactions.executeWithoutResult(tx -> added.forEach(target ->
                deployments.enqueue(name, current.id(), current.serial().hex(), target, "request", 1, clock.instant(), actor)));
        runner.runSoon();
    }
}
