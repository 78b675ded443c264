package dev.certwright.inventory;

/**
 * The upstream CA that issued a slot's current instance suggests another renewal window for it (ACME ARI, RFC 9773
 * §4.3: a client polls renewalInfo again and follows what it says), published in the transaction that stored it.
 */
public record RenewalWindowChanged(String managedName, long certificateId, CertificateInventory.RenewalWindow window) {
}
