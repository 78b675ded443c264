/**
 * Issuance's machinery behind its API: the CA bootstrap at startup (and the audit keys it derives from the CA), the
 * Quartz jobs that reconcile stale PENDING rows and purge expired payloads, and the per-issuer metrics.
 */
package dev.certwright.issuance.internal;
