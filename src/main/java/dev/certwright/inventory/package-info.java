/**
 * Storage of every certificate instance (issued here, by ACME, imported, discovered) and of managed certificates:
 * named slots with a spec and a current instance. Search and expiry queries. It stores what it is given and
 * decides nothing about policy.
 */
@org.springframework.modulith.ApplicationModule(displayName = "inventory", allowedDependencies = {"x509", "platform"})
package dev.certwright.inventory;
