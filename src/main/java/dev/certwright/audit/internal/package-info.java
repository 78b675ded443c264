/** The audit log's machinery behind its API: the Quartz checkpoint job and the {@code certwright.audit.*} properties. */
package dev.certwright.audit.internal;
