/**
 * The notices behind {@code OwnerContacts}: the expiry scan, the notice store and its delivery by mail and webhook
 * (with the webhook address rules), the Quartz jobs and the {@code certwright.notify.*} properties.
 */
package dev.certwright.notify.internal;
