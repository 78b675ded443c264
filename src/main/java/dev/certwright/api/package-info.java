/**
 * The admin REST API under {@code /api/v1} and the public CA certificate endpoints: thin controllers over the
 * modules' APIs, the roles each endpoint needs, and the mapping of module errors to RFC 9457 problem documents.
 */
@org.springframework.modulith.ApplicationModule(displayName = "api",
        allowedDependencies = {"x509", "platform", "policy", "ca", "audit", "inventory", "issuance", "renewal", "delivery", "deploy", "notify",
                "acme", "backup", "discovery"})
package dev.certwright.api;
