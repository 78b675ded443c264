/**
 * Issuance's machinery behind its API: the CA bootstrap at startup (and the audit keys it derives from the CA), the
 * CA keystore's row and the KEK rotation's (the source of every node's key-encryption keys, decision 68), the Quartz
 * jobs that reconcile stale PENDING rows, purge expired payloads and re-wrap stored keys after a KEK rotation, and the
 * per-issuer metrics.
 */
package dev.certwright.issuance.internal;
