package dev.certwright.deploy;

import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.deploy.internal.DeployTargets;
import dev.certwright.deploy.internal.SshIdentity;
import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.ManagedCertificates;

/** Creating, changing and removing deployment targets, validated and audited; used by the API and the dashboard. */
@Service
public class DeployTargetService {

    private final DeployTargets targets;
    private final ManagedCertificates slots;
    private final SshIdentity identity;
    private final AuditLog audit;
    private final TransactionTemplate transactions;

    DeployTargetService(DeployTargets targets, ManagedCertificates slots, SshIdentity identity, AuditLog audit, TransactionTemplate transactions) {
        this.targets = targets;
        this.slots = slots;
        this.identity = identity;
        this.audit = audit;
        this.transactions = transactions;
    }

    public List<DeployTarget> list() {
        return targets.list();
    }

    /** The names among these that are not deployment targets. */
    public List<String> unknown(List<String> names) {
        return targets.unknown(names);
    }

    public DeployTarget get(String name) {
        return targets.find(name).orElseThrow(() -> new DeployException(DeployException.Type.NOT_FOUND, "no deployment target named '" + name + "'"));
    }

    /** The line to put in each target's {@code authorized_keys}. */
    public String sshPublicKey() {
        return identity.publicKeyLine();
    }

    public DeployTarget create(DeployTarget target, String actor) {
        valid(target);
        transactions.executeWithoutResult(tx -> {
            if (!targets.create(target)) {
                throw new DeployException(DeployException.Type.CONFLICT, "a deployment target named '" + target.name() + "' already exists");
            }
            audit.append(actor, "deploy-target.created", "deploy-target", target.name(), describe(target));
        });
        return target;
    }

    public DeployTarget update(DeployTarget target, String actor) {
        valid(target);
        transactions.executeWithoutResult(tx -> {
            if (!targets.update(target)) {
                throw new DeployException(DeployException.Type.NOT_FOUND, "no deployment target named '" + target.name() + "'");
            }
            audit.append(actor, "deploy-target.updated", "deploy-target", target.name(), describe(target));
        });
        return target;
    }

    /** Removes a target that no slot names any more (409 otherwise). */
    public void delete(String name, String actor) {
        get(name);
        List<String> users = slots.namingTarget(name);
        if (!users.isEmpty()) {
            throw new DeployException(DeployException.Type.CONFLICT, "deployment target '" + name + "' is named by " + users
                    + "; take it out of their targets first");
        }
        transactions.executeWithoutResult(tx -> {
            targets.delete(name);
            audit.append(actor, "deploy-target.deleted", "deploy-target", name, "");
        });
    }

    private static void valid(DeployTarget target) {
        List<String> problems = target.problems();
        if (!problems.isEmpty()) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, String.join("; ", problems));
        }
    }

    private static String describe(DeployTarget t) {
        return "kind=" + t.kind() + " host=" + t.user() + "@" + t.host() + ":" + t.port() + " hostKey=SHA256:" + t.pinnedFingerprint()
                + " paths=" + t.paths().byRole().values() + " probe=" + t.probe().host() + ":" + t.probe().port()
                + (t.webroot() == null ? "" : " webroot=" + t.webroot());
    }
}
