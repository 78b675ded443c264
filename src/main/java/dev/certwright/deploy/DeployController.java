package dev.certwright.deploy;

import java.net.URI;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.platform.ApiAuthorizationRules;
import dev.certwright.platform.Roles;

/**
 * The deployer's API: targets ({@code /api/v1/deploy/targets}, written by ADMIN, read by VIEWER), Certwright's SSH
 * public key, a slot's targets, deployments on request and their history.
 */
@RestController
class DeployController {

    private final DeployTargets targets;
    private final Deployments deployments;
    private final DeploymentService service;
    private final SshIdentity identity;
    private final ManagedCertificates slots;
    private final AuditLog audit;
    private final TransactionTemplate transactions;

    DeployController(DeployTargets targets, Deployments deployments, DeploymentService service, SshIdentity identity, ManagedCertificates slots,
            AuditLog audit, TransactionTemplate transactions) {
        this.targets = targets;
        this.deployments = deployments;
        this.service = service;
        this.identity = identity;
        this.slots = slots;
        this.audit = audit;
        this.transactions = transactions;
    }

    @Bean
    static ApiAuthorizationRules deployRules() {
        return rules -> rules
                .requestMatchers(HttpMethod.GET, "/api/v1/deploy/targets", "/api/v1/deploy/targets/*", "/api/v1/deploy/ssh-key").hasRole(Roles.VIEWER)
                .requestMatchers("/api/v1/deploy/targets", "/api/v1/deploy/targets/*").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.PUT, "/api/v1/managed-certificates/*/targets").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/managed-certificates/*/deploy").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.GET, "/api/v1/managed-certificates/*/deployments").hasRole(Roles.VIEWER);
    }

    /** A target as written and read: modes are octal strings ("0644"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TargetBody(String name, String kind, String host, Integer port, String user, String hostKeySha256, DeployTarget.Paths paths,
            Integer fileUid, Integer fileGid, String fileMode, String keyMode, String reloadCommand, DeployTarget.Probe probe,
            List<Deployments.Probe> lastProbes, List<String> managedCertificates) {

        DeployTarget toTarget(String nameFromPath) {
            return new DeployTarget(nameFromPath != null ? nameFromPath : name, kind, host, port == null ? 22 : port, user, hostKeySha256,
                    paths, fileUid, fileGid, octal("fileMode", fileMode, 0644), octal("keyMode", keyMode, 0600), reloadCommand, probe);
        }

        static TargetBody of(DeployTarget t, List<Deployments.Probe> probes, List<String> managed) {
            return new TargetBody(t.name(), t.kind(), t.host(), t.port(), t.user(), "SHA256:" + t.pinnedFingerprint(), t.paths(), t.fileUid(),
                    t.fileGid(), String.format("%04o", t.fileMode()), String.format("%04o", t.keyMode()), t.reloadCommand(), t.probe(), probes,
                    managed);
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
        DeployTarget target = valid(body.toTarget(null));
        transactions.executeWithoutResult(tx -> {
            if (!targets.create(target)) {
                throw new DeployException(DeployException.Type.CONFLICT, "a deployment target named '" + target.name() + "' already exists");
            }
            audit.append(actor.getName(), "deploy-target.created", "deploy-target", target.name(), describe(target));
        });
        return ResponseEntity.created(URI.create("/api/v1/deploy/targets/" + target.name())).body(TargetBody.of(target, List.of(), List.of()));
    }

    @GetMapping("/api/v1/deploy/targets")
    List<TargetBody> list() {
        return targets.list().stream().map(t -> TargetBody.of(t, null, null)).toList();
    }

    @GetMapping("/api/v1/deploy/targets/{name}")
    TargetBody get(@PathVariable String name) {
        DeployTarget target = find(name);
        return TargetBody.of(target, deployments.probes(name), slots.namingTarget(name));
    }

    @PutMapping(path = "/api/v1/deploy/targets/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    TargetBody update(@PathVariable String name, @RequestBody TargetBody body, Authentication actor) {
        if (body.name() != null && !body.name().equals(name)) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "a target cannot be renamed; the body's name must be '" + name + "' or absent");
        }
        DeployTarget target = valid(body.toTarget(name));
        transactions.executeWithoutResult(tx -> {
            if (!targets.update(target)) {
                throw new DeployException(DeployException.Type.NOT_FOUND, "no deployment target named '" + name + "'");
            }
            audit.append(actor.getName(), "deploy-target.updated", "deploy-target", name, describe(target));
        });
        return TargetBody.of(target, deployments.probes(name), slots.namingTarget(name));
    }

    @DeleteMapping("/api/v1/deploy/targets/{name}")
    ResponseEntity<Void> delete(@PathVariable String name, Authentication actor) {
        find(name);
        List<String> users = slots.namingTarget(name);
        if (!users.isEmpty()) {
            throw new DeployException(DeployException.Type.CONFLICT, "deployment target '" + name + "' is named by " + users
                    + "; take it out of their targets first");
        }
        transactions.executeWithoutResult(tx -> {
            targets.delete(name);
            audit.append(actor.getName(), "deploy-target.deleted", "deploy-target", name, "");
        });
        return ResponseEntity.noContent().build();
    }

    /** The line to put in each target's {@code authorized_keys}. */
    @GetMapping(path = "/api/v1/deploy/ssh-key", produces = MediaType.TEXT_PLAIN_VALUE)
    String sshKey() {
        return identity.publicKeyLine() + "\n";
    }

    /** {@code PUT .../targets}: the body is {@code {"targets": [...]}}. */
    record TargetsBody(List<String> targets) {
    }

    @PutMapping(path = "/api/v1/managed-certificates/{name}/targets", consumes = MediaType.APPLICATION_JSON_VALUE)
    TargetsBody setTargets(@PathVariable String name, @RequestBody TargetsBody body, Authentication actor) {
        List<String> wanted = body.targets() == null ? List.of() : body.targets().stream().distinct().toList();
        if (wanted.size() > 32) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "a managed certificate has at most 32 targets");
        }
        List<String> unknown = targets.unknown(wanted);
        if (!unknown.isEmpty()) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "no deployment targets named " + unknown);
        }
        var slot = slots.find(name).orElseThrow(() -> new DeployException(DeployException.Type.NOT_FOUND, "no managed certificate named '" + name + "'"));
        if (slot.keyOnHost() && wanted.size() != 1) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "an on-host key slot has exactly one target: the host that keeps its key");
        }
        transactions.executeWithoutResult(tx -> {
            slots.setTargets(name, wanted);
            audit.append(actor.getName(), "managed-certificate.targets-changed", "managed-certificate", name, "targets=" + wanted);
        });
        // A target added to a slot gets its current instance now (an on-host key slot's new host first needs a renewal).
        if (!slot.keyOnHost()) {
            service.deployToAdded(name, wanted.stream().filter(t -> !slot.targets().contains(t)).toList(), actor.getName());
        }
        return new TargetsBody(wanted);
    }

    @PostMapping("/api/v1/managed-certificates/{name}/deploy")
    ResponseEntity<List<Deployment>> deploy(@PathVariable String name, Authentication actor) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(service.deployNow(name, actor.getName()));
    }

    @GetMapping("/api/v1/managed-certificates/{name}/deployments")
    List<Deployment> deployments(@PathVariable String name, @RequestParam(defaultValue = "50") int limit) {
        return service.history(name, Math.max(1, Math.min(limit, 500)));
    }

    private DeployTarget find(String name) {
        return targets.find(name).orElseThrow(() -> new DeployException(DeployException.Type.NOT_FOUND, "no deployment target named '" + name + "'"));
    }

    private static DeployTarget valid(DeployTarget target) {
        List<String> problems = target.problems();
        if (!problems.isEmpty()) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, String.join("; ", problems));
        }
        return target;
    }

    private static String describe(DeployTarget t) {
        return "kind=" + t.kind() + " host=" + t.user() + "@" + t.host() + ":" + t.port() + " hostKey=SHA256:" + t.pinnedFingerprint()
                + " paths=" + t.paths().byRole().values() + " probe=" + t.probe().host() + ":" + t.probe().port();
    }
}
