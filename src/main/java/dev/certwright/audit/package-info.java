/**
 * The append-only, hash-chained audit log. Modules that change state call {@link dev.certwright.audit.AuditLog#append}
 * inside the transaction of the change, so the entry commits or rolls back with it (see docs/decisions.md: events are
 * not used for this, because Spring defers events published during startup). The chains are keyed with an HMAC under a
 * key derived from the CA's key-encryption key ({@link dev.certwright.audit.AuditKeys}, implemented by issuance, so that
 * this module needs nothing but platform), and their heads are published as signed checkpoints
 * ({@link dev.certwright.audit.AuditCheckpoints}) that an export can be checked against offline (decision 45).
 */
@org.springframework.modulith.ApplicationModule(displayName = "audit", allowedDependencies = {"platform"})
package dev.certwright.audit;
