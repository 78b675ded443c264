package dev.certwright.inventory;

/**
 * Certificates that had no owner (or another one) were given one in bulk ({@link CertificateInventory#assignOwner}),
 * published in that transaction. Such a certificate may have been inside an expiry window for a while, with nobody to
 * tell: the notice scan passed it over, and looks at every window again when it hears this.
 */
public record OwnersAssigned(String owner, int certificates) {
}
