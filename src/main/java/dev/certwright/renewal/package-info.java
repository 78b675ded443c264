/**
 * Renewal of managed certificates: a clustered Quartz job finds the slots whose renewal is due and renews them through
 * {@code issuance}, each exactly once per window (a claim on the slot's {@code renew_at}), with jitter, retries with
 * backoff, and a flag after too many failures. The due time of each new instance is set in the issuing transaction.
 */
@org.springframework.modulith.ApplicationModule(displayName = "renewal",
        allowedDependencies = {"x509", "policy", "inventory", "issuance", "platform", "audit"})
package dev.certwright.renewal;
