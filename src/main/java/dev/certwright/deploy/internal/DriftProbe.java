package dev.certwright.deploy.internal;

import java.io.IOException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.DeploymentStatus;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.platform.JobBudgets;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Drift: probes every target of every slot, records what it serves, and flags a target that serves something other
 * than its slot's current instance. A target whose last deployment of the current instance was verified (someone
 * changed it since), or that was never deployed to, is queued for redeployment; one whose deployment failed is only
 * flagged, since its retries and its owner's notice are already under way.
 */
@Component
class DriftProbe {

    private static final Logger log = LoggerFactory.getLogger(DriftProbe.class);

    private final ManagedCertificates slots;
    private final CertificateInventory inventory;
    private final DeployTargets targets;
    private final Deployments deployments;
    private final DeploymentRunner service;
    private final TlsProbe probe;
    private final MeterRegistry meters;

    DriftProbe(ManagedCertificates slots, CertificateInventory inventory, DeployTargets targets, Deployments deployments,
            DeploymentRunner service, TlsProbe probe, MeterRegistry meters) {
        this.slots = slots;
        this.inventory = inventory;
        this.targets = targets;
        this.deployments = deployments;
        this.service = service;
        this.probe = probe;
        this.meters = meters;
    }

    int run(JobBudgets.Budget budget) {
        int drifted = 0;
        for (ManagedCertificate slot : slots.withTargets()) {
            if (slot.currentCertificateId() == null) {
                continue;
            }
            CertificateRecord current = inventory.find(slot.currentCertificateId()).orElse(null);
            if (current == null) {
                continue;
            }
            for (String name : slot.targets()) {
                if (!budget.remains()) {
                    return drifted;
                }
                DeployTarget target = targets.find(name).orElse(null);
                if (target == null) {
                    continue;
                }
                String served = null;
                String error = null;
                try {
                    served = probe.servedFingerprint(target.probe(), Duration.ofSeconds(5));
                } catch (IOException e) {
                    error = SshDeployer.describe(e);
                }
                deployments.recordProbe(name, slot.name(), served, current.fingerprintSha256(), error);
                if (served != null && !served.equals(current.fingerprintSha256())) {
                    drifted++;
                    meters.counter("certwright.deploy.drift").increment();
                    var last = deployments.latest(slot.name(), name).orElse(null);
                    boolean redeploy = last == null || (last.certificateId() == current.id() && last.status() == DeploymentStatus.VERIFIED)
                            || last.certificateId() != current.id() && last.status() != DeploymentStatus.PENDING;
                    log.warn("drift: target {} serves {} instead of {} serial {}{}", name, served, slot.name(), current.serial().hex(),
                            redeploy ? "; redeploying" : "");
                    if (redeploy) {
                        service.redeployDrifted(slot, current, name);
                    }
                }
            }
        }
        return drifted;
    }
}
