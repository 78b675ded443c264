/**
 * The deployer's internals: the SQL stores of targets, deployments and probes, the deployment runner and the Quartz
 * jobs, the SSH plumbing (identity, MINA SSHD deployer, on-host key maker), the TLS and drift probes, and the
 * configuration. Nothing outside {@code deploy} uses them.
 */
package dev.certwright.deploy.internal;
