/**
 * The service pull API: a managed certificate's current bundle (certificate, chain and private key) for a service
 * authorised for that slot, as PEM, PKCS#12 or JSON, with a strong ETag, 304, and long-polling that holds no thread
 * while it waits.
 */
@org.springframework.modulith.ApplicationModule(displayName = "delivery",
        allowedDependencies = {"x509", "inventory", "issuance", "platform", "audit"})
package dev.certwright.delivery;
