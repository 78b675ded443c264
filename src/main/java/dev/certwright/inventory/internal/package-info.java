/**
 * The inventory's machinery behind its API: the Quartz snapshot job and the metrics it feeds, and the H2 commit
 * durability setting. Nothing outside the inventory uses these.
 */
package dev.certwright.inventory.internal;
