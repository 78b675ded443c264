/** Renewal's machinery behind its API: the Quartz scan job and the {@code certwright.renewal.*} properties. */
package dev.certwright.renewal.internal;
