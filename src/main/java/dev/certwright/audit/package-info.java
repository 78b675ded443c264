/**
 * The append-only, hash-chained audit log. Modules that change state call {@link dev.certwright.audit.AuditLog#append}
 * inside the transaction of the change, so the entry commits or rolls back with it (see docs/decisions.md: events are
 * not used for this, because Spring defers events published during startup).
 */
@org.springframework.modulith.ApplicationModule(displayName = "audit", allowedDependencies = {"platform"})
package dev.certwright.audit;
