/**
 * The SSH deployer: deployment targets (hosts with nginx, HAProxy or plain files), Certwright's own SSH identity, and
 * deployments that upload a managed certificate over SFTP with the host key pinned, rename it into place atomically,
 * run the target's fixed reload command, probe the endpoint over TLS for the new leaf, and roll back when it is not
 * served. Deployments are queued in the issuing transaction and run by any node; drift is probed on a schedule.
 */
@org.springframework.modulith.ApplicationModule(displayName = "deploy",
        allowedDependencies = {"x509", "keys", "inventory", "issuance", "platform", "audit"})
package dev.certwright.deploy;
