package dev.certwright.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.deploy.DeployException;
import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.DeployTargetService;
import dev.certwright.deploy.Deployment;
import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.deploy.DeploymentQueue;
import dev.certwright.deploy.TargetProbe;
import dev.certwright.inventory.ManagedCertificates;

/**
 * The deployer's API: targets ({@code /api/v1/deploy/targets}, written by ADMIN, read by VIEWER), Certwright's SSH
 * public key, a slot's targets, deployments on request and their history. Roles: {@link ApiRules}.
 */
@RestController
class DeployController {

    private final DeployTargetService targets;
    private final DeploymentQueue queue;
    private final DeploymentQueries queries;
    private final ManagedCertificates slots;

    DeployController(DeployTargetService targets, DeploymentQueue queue, DeploymentQueries queries, ManagedCertificates slots) {
        this.targets = targets;
        this.queue = queue;
        this.queries = queries;
        this.slots = slots;
    }

    /** A target as written and read: modes are octal strings ("0644"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TargetBody(String name, String kind, String host, Integer port, String user, String hostKeySha256, DeployTarget.Paths paths,
            Integer fileUid, Integer fileGid, String fileMode, String keyMode, String reloadCommand, DeployTarget.Probe probe,
            String webroot, List<TargetProbe> lastProbes, List<String> managedCertificates) {

        DeployTarget toTarget(String nameFromPath) {
            return new DeployTarget(nameFromPath != null ? nameFromPath : name, kind, host, port == null ? 22 : port, user, hostKeySha256,
                    paths, fileUid, fileGid, octal("fileMode", fileMode, 0644), octal("keyMode", keyMode, 0600), reloadCommand, probe, webroot);
        }

        static TargetBody of(DeployTarget t, List<TargetProbe> probes, List<String> managed) {
            return new TargetBody(t.name(), t.kind(), t.host(), t.port(), t.user(), "SHA256:" + t.pinnedFingerprint(), t.paths(), t.fileUid(),
                    t.fileGid(), String.format("%04o", t.fileMode()), String.format("%04o", t.keyMode()), t.reloadCommand(), t.probe(), t.webroot(),
                    probes, managed);
        }

        private static int octal(String field, String text, int fallback) {
            if (text == null) {
                return fallback;
            }
            if (!text.matches("0?[0-7]{3}")) {
                throw new DeployException(DeployException.Type.BAD_REQUEST, field + " must be octal permission bits such as \"0644\"");
            }
            return Integer.parseInt(text, 8);
        }
    }

    @PostMapping(path = "/api/v1/deploy/targets", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<TargetBody> create(@RequestBody TargetBody body, Authentication actor) {
        DeployTarget target = targets.create(body.toTarget(null), actor.getName());
        return ResponseEntity.created(URI.create("/api/v1/deploy/targets/" + target.name())).body(TargetBody.of(target, List.of(), List.of()));
    }

    @GetMapping("/api/v1/deploy/targets")
    List<TargetBody> list() {
        return targets.list().stream().map(t -> TargetBody.of(t, null, null)).toList();
    }

    @GetMapping("/api/v1/deploy/targets/{name}")
    TargetBody get(@PathVariable String name) {
        return TargetBody.of(targets.get(name), queries.probes(name), slots.namingTarget(name));
    }

    @PutMapping(path = "/api/v1/deploy/targets/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    TargetBody update(@PathVariable String name, @RequestBody TargetBody body, Authentication actor) {
        if (body.name() != null && !body.name().equals(name)) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "a target cannot be renamed; the body's name must be '" + name + "' or absent");
        }
        DeployTarget target = targets.update(body.toTarget(name), actor.getName());
        return TargetBody.of(target, queries.probes(name), slots.namingTarget(name));
    }

    @DeleteMapping("/api/v1/deploy/targets/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication actor) {
        targets.delete(name, actor.getName());
        return ResponseEntity.noContent().build();
    }

    /** The line to put in each target's {@code authorized_keys}. */
    @GetMapping(path = "/api/v1/deploy/ssh-key", produces = MediaType.TEXT_PLAIN_VALUE)
    String sshKey() {
        return targets.sshPublicKey() + "\n";
    }

    /** {@code PUT .../targets}: the body is {@code {"targets": [...]}}. */
    record TargetsBody(List<String> targets) {
    }

    @PutMapping(path = "/api/v1/managed-certificates/{name}/targets", consumes = MediaType.APPLICATION_JSON_VALUE)
    TargetsBody setTargets(@PathVariable String name, @RequestBody TargetsBody body, Authentication actor) {
        return new TargetsBody(queue.changeTargets(name, body.targets() == null ? List.of() : body.targets(), actor.getName()));
    }

    @PostMapping("/api/v1/managed-certificates/{name}/deploy")
    ResponseEntity<List<Deployment>> deploy(@PathVariable String name, Authentication actor) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(queue.deployNow(name, actor.getName()));
    }

    @GetMapping("/api/v1/managed-certificates/{name}/deployments")
    List<Deployment> deployments(@PathVariable String name, @RequestParam(defaultValue = "50") int limit) {
        return queries.history(name, Math.max(1, Math.min(limit, 500)));
    }
}
