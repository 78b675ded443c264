/**
 * Network discovery (decision 75): scans an admin defines (targets, ports, server names, a schedule), run as Quartz jobs
 * with bounded concurrency and rate; a TLS handshake per endpoint that makes no trust decision (with and without SNI,
 * STARTTLS for SMTP, IMAP and LDAP); each certificate served recorded in the inventory, as DISCOVERED when it is not
 * there yet, with the endpoints where it was seen and what is wrong with it (findings). Only the networks
 * {@code certwright.discovery.allowed-networks} names may be scanned, checked after DNS resolution.
 */
@org.springframework.modulith.ApplicationModule(displayName = "discovery", allowedDependencies = {"x509", "platform", "inventory", "audit", "deploy"})
package dev.certwright.discovery;
