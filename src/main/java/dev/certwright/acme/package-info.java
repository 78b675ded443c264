/**
 * The ACME server (RFC 8555): {@code web} (JWS checks, thin controllers, one URL builder, problem types),
 * {@code application} (the use cases: orders, authorizations and challenges, accounts, revocation), {@code domain}
 * (Account, Order, Authorization, Challenge, their status enums and state rules), {@code validation} (http-01, dns-01,
 * tls-alpn-01, run asynchronously) and {@code store} (JDBC). Certificates are issued through {@code issuance}, on the
 * same record-before-sign path as every other certificate, with source ACME.
 */
@org.springframework.modulith.ApplicationModule(displayName = "acme",
        allowedDependencies = {"x509", "policy", "keys", "issuance", "inventory", "platform", "audit"})
package dev.certwright.acme;
