/**
 * Upstream ACME CAs (decision 76): Certwright as an RFC 8555 client, with acme4j, for profiles that name
 * {@code upstream:}. One account per upstream, its key made once and wrapped under the KEK; orders answered by http-01
 * on the plain-HTTP listener (the key authorizations in the database, so any node answers) and in the webroot of the
 * deployment targets that serve the name (deploy's {@code WebrootChallenges}, over SFTP), or by dns-01 (RFC 2136
 * update with TSIG); revocation upstream; the
 * ARI window (RFC 9773) handed to issuance with the certificate, and polled again (Quartz {@code upstream-ari}) so that a
 * window the upstream moves moves the slot's renewal. It implements issuance's {@code UpstreamCertificates}
 * port and never calls back into issuance's use cases.
 */
@org.springframework.modulith.ApplicationModule(displayName = "upstream",
        allowedDependencies = {"x509", "policy", "keys", "issuance", "deploy", "inventory", "platform", "audit"})
package dev.certwright.upstream;
