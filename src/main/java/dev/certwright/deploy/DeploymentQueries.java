package dev.certwright.deploy;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Service;

import dev.certwright.deploy.internal.Deployments;
import dev.certwright.issuance.ManagedCertificateService;

/** What was deployed where: a slot's history, an instance's deployments, recent problems, and what targets served when probed. */
@Service
public class DeploymentQueries {

    private final Deployments deployments;
    private final ManagedCertificateService managed;

    DeploymentQueries(Deployments deployments, ManagedCertificateService managed) {
        this.deployments = deployments;
        this.managed = managed;
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
