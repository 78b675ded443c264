/**
 * Notices to owners: a certificate in the inventory that will expire without a successor (at each threshold of
 * {@code certwright.notify.thresholds}), and a managed certificate whose renewal was given up. By email and by JSON
 * webhook signed with HMAC-SHA256, each once per certificate, event, threshold and recipient, recorded, and retried
 * with backoff until delivered.
 */
@org.springframework.modulith.ApplicationModule(displayName = "notify",
        allowedDependencies = {"x509", "inventory", "issuance", "renewal", "deploy", "platform", "audit"})
package dev.certwright.notify;
