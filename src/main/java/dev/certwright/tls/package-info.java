/**
 * The server's own TLS certificate: a managed certificate ({@code certwright-server}) that Certwright issues to itself
 * from its own CA, hands to Tomcat as the SSL bundle {@code certwright-server}, and renews before it expires. Every node
 * serves the same certificate, read from the database.
 */
@org.springframework.modulith.ApplicationModule(displayName = "tls", allowedDependencies = {"issuance", "inventory", "platform", "x509"})
package dev.certwright.tls;
