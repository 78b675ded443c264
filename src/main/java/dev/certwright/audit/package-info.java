/**
 * The append-only, hash-chained audit log. It listens to the other modules' events synchronously, so each entry is
 * written in the same transaction as the state change it records.
 */
@org.springframework.modulith.ApplicationModule(displayName = "audit", allowedDependencies = {"platform", "issuance"})
package dev.certwright.audit;
