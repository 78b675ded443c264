package dev.certwright.deploy;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Service;

import dev.certwright.deploy.internal.DeployTargets;
import dev.certwright.deploy.internal.Deployments;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.ManagedCertificateService;

/** What was deployed where: a slot's history, an instance's deployments, recent problems, and what targets served when probed. */
@Service
public class DeploymentQueries {

    private final Deployments deployments;
    private final ManagedCertificateService managed;
    private final DeployTargets targets;
    private final ManagedCertificates slots;
    private final CertificateInventory inventory;

    DeploymentQueries(Deployments deployments, ManagedCertificateService managed, DeployTargets targets, ManagedCertificates slots,
            CertificateInventory inventory) {
        this.deployments = deployments;
        this.managed = managed;
        this.targets = targets;
        this.slots = slots;
        this.inventory = inventory;
    }

    /**
     * What a target's probe endpoint should serve: the current certificate of one slot that deploys there.
     *
     * @param serverName the SNI name the deployer's probe sends (the probe's server name, else its host when that is a
     *        DNS name with a dot, as JSSE does), or null when it sends none
     */
    public record ExpectedLeaf(String target, String host, int port, String serverName, String slot, String fingerprintSha256) {
    }

    /** For every target a slot with a current certificate deploys to, that certificate (decision 75's drift finding). */
    public List<ExpectedLeaf> expectedLeaves() {
        java.util.Map<String, DeployTarget> byName = new java.util.HashMap<>();
        targets.list().forEach(t -> byName.put(t.name(), t));
        List<ExpectedLeaf> out = new java.util.ArrayList<>();
        for (ManagedCertificate slot : slots.withTargets()) {
            if (slot.currentCertificateId() == null) {
                continue;
            }
            CertificateRecord current = inventory.find(slot.currentCertificateId()).orElse(null);
            if (current == null) {
                continue;
            }
            for (String name : slot.targets()) {
                DeployTarget target = byName.get(name);
                if (target != null && target.probe() != null) {
                    DeployTarget.Probe probe = target.probe();
                    out.add(new ExpectedLeaf(name, probe.host(), probe.port(), sentServerName(probe), slot.name(), current.fingerprintSha256()));
                }
            }
        }
        return out;
    }

    /** The SNI name {@code TlsProbe} sends: JSSE names the host it connects to only when it is a DNS name with a dot. */
    static String sentServerName(DeployTarget.Probe probe) {
        if (probe.serverName() != null && !probe.serverName().isBlank()) {
            return probe.serverName();
        }
        String host = probe.host().endsWith(".") ? probe.host().substring(0, probe.host().length() - 1) : probe.host();
        boolean literal = host.indexOf(':') >= 0 || host.matches("[0-9.]+");
        return !literal && host.indexOf('.') > 0 ? host : null;
    }

    /** The deployments of one certificate instance, newest first. */
    public List<Deployment> forCertificate(long certificateId) {
        return deployments.forCertificate(certificateId);
    }

    /** Attempts that failed or were rolled back since a time, newest first (the dashboard's overview). */
    public List<Deployment> problemsSince(Instant since, int limit) {
        return deployments.problemsSince(since, limit);
    }

    /** What each slot's targets served when last probed. */
    public List<TargetProbe> probes(String target) {
        return deployments.probes(target);
    }

    /** A slot's deployments, newest first. */
    public List<Deployment> history(String name, int limit) {
        managed.get(name); // 404 for an unknown slot
        return deployments.history(name, limit);
    }
}
